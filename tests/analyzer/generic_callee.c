// SPDX-License-Identifier: GPL-2.0
/*
 * A call through a _Generic selection of functions, as seqlock.h's
 * __seqprop() makes: the function selected by the operand's type is
 * called directly, and no retpoline is emitted for it.
 */
struct plain_seq { unsigned int seq; };
struct locked_seq { struct plain_seq s; int lock; };

static inline unsigned int plain_read(const struct plain_seq *s)
{
	return s->seq;
}

static inline unsigned int locked_read(const struct locked_seq *s)
{
	return s->s.seq;
}

#define seq_read(s) _Generic(*(s),			\
	struct plain_seq: plain_read,			\
	struct locked_seq: locked_read)(s)

unsigned int reader(struct plain_seq *p, struct locked_seq *l,
		    unsigned int (*fn)(const struct plain_seq *))
{
	return seq_read(p) + seq_read(l) + _Generic(fn, default: fn)(p);
}

/*
 * check-name: a _Generic-selected function is a direct call; a selected pointer is not
 * check-output-start
func plain_read generic_callee.c:10 inline static
func locked_read generic_callee.c:15 inline static
func reader generic_callee.c:24
call reader generic_callee.c:27:9 direct plain_read inline macro seq_read
call reader generic_callee.c:27:23 direct locked_read inline macro seq_read
call reader generic_callee.c:27:37 indirect _Generic(fn,default:fn) targets (unknown)
 * check-output-end
 */
