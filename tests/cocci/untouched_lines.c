// SPDX-License-Identifier: GPL-2.0
// check-name: every line but the rewritten call stays byte-identical
#include "kvm_fixture.h"

/*
 * A made-up exit handler with the kind of clutter real ones have around
 * the trigger: comments of both styles, blank lines, odd but valid spacing
 * and an expression spread over several lines.
 */
static int handle_exit(struct kvm_vcpu *vcpu, int arg)
{
	long rip = 0x1000,  len;	/* two spaces before len */
	int  r=0;

	// the decode step
	len = (arg & 1) ? 2
			: 3;

	if(arg&2)
		rip += len ;

	/* the instruction retired: compute the new rip first */
	rip = (rip +
	       len) &
	      0xffff;
	kvm_pmu_trigger_event(vcpu, PERF_COUNT_HW_INSTRUCTIONS);	/* counted here */
	r = (int)(rip
		  - 0x1000);


	trace( "rip" , rip );	// spaces inside the parens
	return(r);
}

static void handle_branch(struct kvm_vcpu *vcpu,
			  int arg)
{
	if (arg & 4) {
		/* taken */

		kvm_pmu_branch_retired(vcpu);

	}
	else
		trace("not taken",arg);
}

int run_fixture(struct kvm_vcpu *vcpu, int arg)
{
	handle_branch(vcpu, arg);
	return handle_exit(vcpu, arg) ;
}
