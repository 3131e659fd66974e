// SPDX-License-Identifier: GPL-2.0
/*
 * Exit handlers a setup function stores at run time in the table it is
 * passed, as nested VMX fills in the VMX instructions' entries of the VMX
 * exit-handler table: each is a root with its index as the exit reason, and
 * the dispatch through the table may call it.  A table of another name
 * passed the same way gives no roots.
 */
struct vcpu;

enum { EXIT_CPUID = 10, EXIT_VMLAUNCH = 20, EXIT_VMREAD = 23 };

static int handle_cpuid(struct vcpu *v)
{
	return v != 0;
}

static int handle_vmlaunch(struct vcpu *v)
{
	return v != 0;
}

static int handle_vmread(struct vcpu *v)
{
	return v == 0;
}

static int handle_other(struct vcpu *v)
{
	return v == 0;
}

static int (*demo_exit_handlers[32])(struct vcpu *v) = {
	[EXIT_CPUID] = handle_cpuid,
};

static int (*other_table[4])(struct vcpu *v);

void nested_setup(int (*exit_handlers[])(struct vcpu *));

void nested_setup(int (*exit_handlers[])(struct vcpu *))
{
	exit_handlers[EXIT_VMLAUNCH] = handle_vmlaunch;
	exit_handlers[ EXIT_VMREAD ]	= handle_vmread;
}

static void other_setup(int (*table[])(struct vcpu *))
{
	table[1] = handle_other;
}

void hardware_setup(void)
{
	nested_setup(demo_exit_handlers);
	other_setup(other_table);
}

int handle_exit(struct vcpu *v, int reason)
{
	return demo_exit_handlers[reason](v);
}

/*
 * check-name: a table filled in by the function it is passed to
 * check-output-start
func handle_cpuid table_setup.c:13 static
func handle_vmlaunch table_setup.c:18 static
func handle_vmread table_setup.c:23 static
func handle_other table_setup.c:28 static
func nested_setup table_setup.c:41
func other_setup table_setup.c:47 static
func hardware_setup table_setup.c:52
func handle_exit table_setup.c:58
call hardware_setup table_setup.c:54:2 direct nested_setup
call hardware_setup table_setup.c:55:2 direct other_setup
call handle_exit table_setup.c:60:9 indirect demo_exit_handlers[reason] targets handle_cpuid handle_vmlaunch handle_vmread
root handle_cpuid (in demo_exit_handlers[]) EXIT_CPUID
root handle_vmlaunch (in demo_exit_handlers[]) EXIT_VMLAUNCH
root handle_vmread (in demo_exit_handlers[]) EXIT_VMREAD
path handle_cpuid: handle_cpuid
path handle_vmlaunch: handle_vmlaunch
path handle_vmread: handle_vmread
 * check-output-end
 */
