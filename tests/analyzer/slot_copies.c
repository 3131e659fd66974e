// SPDX-License-Identifier: GPL-2.0
/*
 * Targets that reach a call through copies between fields, as in the
 * instruction emulator: opcode tables initialize .u.execute, decode copies
 * it into the context, and the context's ->execute is called.  A cycle of
 * copies between two fields must still end.
 */
struct ctxt;

struct opcode {
	int flags;
	union {
		int (*execute)(struct ctxt *c);
		const struct opcode *group;
	} u;
};

struct ctxt {
	int (*execute)(struct ctxt *c);
	int (*undo)(struct ctxt *c);
};

struct shadow {
	int (*undo)(struct ctxt *c);
};

int em_add(struct ctxt *c);
int em_mov(struct ctxt *c);
int em_undo(struct ctxt *c);

static const struct opcode opcode_table[] = {
	{ .flags = 1, .u.execute = em_add },
	{ .flags = 2, .u.execute = em_mov },
};

void decode(struct ctxt *c, int b, struct shadow *s)
{
	c->execute = opcode_table[b].u.execute;
	c->undo = s->undo;
	s->undo = c->undo;
	s->undo = em_undo;
}

int emulate(struct ctxt *c)
{
	return c->execute(c) + c->undo(c);
}

/*
 * check-name: may-targets carried by copies between fields, through a cycle
 * check-output-start
func decode slot_copies.c:36
func emulate slot_copies.c:44
call emulate slot_copies.c:46:9 indirect c->execute field struct ctxt.execute targets em_add em_mov
call emulate slot_copies.c:46:25 indirect c->undo field struct ctxt.undo targets em_undo
 * check-output-end
 */
