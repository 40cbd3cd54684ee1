#!/bin/busybox sh
# /init of the initramfs that quirkctl vm-test boots: it loads the emulated device's
# driver, then runs the steps below and reports what it saw on the second serial port
# (ttyS1), one record per line: "@QKVM:<nonce> {json}" for observations and
# "@QKVM:<nonce>:log <step> <dmesg line>" for the kernel log read since the last one.
# The host decides pass or fail; this script only acts and observes.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1

N='<%= it.nonce %>'
OUT=/dev/ttyS1
stty -F $OUT raw -echo
rec() { echo "@QKVM:$N $1" >$OUT; }
rec '{"t":"hello"}'

MOD=<%= it.module %>
DRIVER=<%= it.device.driver %>

# The kernel's own account of every driver bind (dd.c's debug lines), and no wait in
# suspend's pm_test (hibernation's 5 s cannot be shortened).
[ -w /proc/dynamic_debug/control ] && echo 'file drivers/base/dd.c +p' >/proc/dynamic_debug/control && DYNDBG=1 || DYNDBG=0
[ -w /sys/module/suspend/parameters/pm_test_delay ] && echo 0 >/sys/module/suspend/parameters/pm_test_delay
words() { tr -cd 'a-z0-9_ []-' <"$1" 2>/dev/null; }
rec "{\"t\":\"env\",\"release\":\"$(uname -r | tr -cd 'A-Za-z0-9._+~-')\",\"version\":\"$(uname -v | tr -cd 'A-Za-z0-9._+~:()# -')\",\"state\":\"$(words /sys/power/state)\",\"pmTest\":\"$(words /sys/power/pm_test)\",\"disk\":\"$(words /sys/power/disk)\",\"dyndbg\":$DYNDBG}"

<% for (const m of it.drivers) { -%>
insmod /lib/modules/<%= m %> || rec '{"t":"driver-load","file":"<%= m %>","rc":1}'
<% } -%>

BDF=
for d in /sys/bus/pci/devices/*; do
	if [ "$(cat $d/vendor)" = <%= it.device.vendor %> ] && [ "$(cat $d/device)" = <%= it.device.device %> ]; then
		BDF=${d##*/}
		break
	fi
done
D=/sys/bus/pci/devices/$BDF
# Probing may finish after insmod returns.
i=0
while [ -n "$BDF" ] && [ ! -e $D/driver ] && [ $i -lt 50 ]; do usleep 100000; i=$((i + 1)); done

# What sysfs shows of the device: PRESENT, DRV (driver name or empty), RESET (reset_method, or "-" without one).
snap() {
	PRESENT=0 DRV= RESET=-
<% if (it.attrs.length) { -%>
	ATTRS=',"attrs":{}'
<% } -%>
	[ -n "$BDF" ] && [ -e $D ] || return
	PRESENT=1
	[ -e $D/driver ] && DRV=$(basename "$(readlink $D/driver)" | tr -cd 'A-Za-z0-9_.-')
	[ -e $D/reset_method ] && RESET=$(words $D/reset_method)
<% if (it.attrs.length) { -%>
	# The attributes the actions' steps read, as a JSON object; one that is absent is left out.
	ATTRS=
	for a in <%= it.attrs.join(' ') %>; do
		[ -e $D/$a ] && ATTRS="$ATTRS${ATTRS:+,}\"$a\":\"$(tr -cd 'A-Za-z0-9_.-' <$D/$a)\""
	done
	ATTRS=",\"attrs\":{$ATTRS}"
<% } -%>
}
# Sends the kernel log since the last call, tagged with the step, and clears it.
log() { dmesg -c | sed "s|^|@QKVM:$N:log $1 |" >$OUT; }

snap
log boot
rec "{\"t\":\"device\",\"bdf\":\"$BDF\",\"present\":$PRESENT,\"driver\":\"$DRV\",\"reset\":\"$RESET\"<%= it.attrs.length ? '$ATTRS' : '' %>}"

begin() { rec "{\"t\":\"begin\",\"step\":\"$1\",\"op\":\"$2\"}"; }
# done_op STEP OP RC [EXTRA-JSON]
done_op() {
	snap
	log $1
	rec "{\"t\":\"op\",\"step\":\"$1\",\"op\":\"$2\",\"rc\":$3,\"present\":$PRESENT,\"driver\":\"$DRV\",\"reset\":\"$RESET\"<%= it.attrs.length ? '$ATTRS' : '' %>$4}"
}
op_insmod() {
	begin $1 insmod
	insmod /lib/modules/$MOD.ko disable="$2"
	done_op $1 insmod $?
}
op_rmmod() {
	begin $1 rmmod
	rmmod $MOD
	done_op $1 rmmod $?
}
op_unbind() {
	begin $1 unbind
	echo $BDF >/sys/bus/pci/drivers/$DRIVER/unbind
	done_op $1 unbind $?
}
op_bind() {
	begin $1 bind
	echo $BDF >/sys/bus/pci/drivers/$DRIVER/bind
	done_op $1 bind $?
}
# op_sleep STEP STATE MODE: one transition with that pm_test mode, if the kernel offers STATE.
op_sleep() {
	begin $1 sleep
	if ! grep -qw $2 /sys/power/state; then
		done_op $1 sleep 0 ",\"state\":\"$2\",\"offered\":false"
		return
	fi
	echo $3 >/sys/power/pm_test && echo $2 >/sys/power/state
	rc=$?
	echo none >/sys/power/pm_test
	done_op $1 sleep $rc ",\"state\":\"$2\",\"mode\":\"$3\",\"offered\":true"
}
# op_sleep_each STEP STATE: one transition per pm_test mode the kernel lists.
op_sleep_each() {
	if ! grep -qw $2 /sys/power/state; then
		op_sleep $1 $2 none
		return
	fi
	for m in $(words /sys/power/pm_test | tr -d '[]'); do
		[ $m = none ] || op_sleep $1 $2 $m
	done
}

<% for (const s of it.steps) { -%>
<% for (const o of s.ops) { -%>
<% if (o.op === 'insmod') { -%>
op_insmod <%= s.id %> '<%= o.disable.join(',') %>'
<% } else if (o.op === 'sleep') { -%>
op_sleep <%= s.id %> <%= o.state %> devices
<% } else if (o.op === 'sleep-each') { -%>
op_sleep_each <%= s.id %> <%= o.state %>
<% } else { -%>
op_<%= o.op %> <%= s.id %>
<% } -%>
<% } -%>
<% } -%>

log end
rec '{"t":"done"}'
poweroff -f
