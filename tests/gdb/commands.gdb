# Run by check_gdb.sh after `break step_through.cpp:<line of BREAK HERE>`.
set pagination off
set confirm off
run
printf "=== tensor\n"
print x
printf "=== shape\n"
print x.impl_.p_->sizes_
printf "=== dtype\n"
print x.impl_.p_->dtype_
printf "=== device\n"
print x.impl_.p_->storage_.p_->device_
printf "=== grad\n"
print grads._M_impl._M_start[0]
printf "=== node\n"
print $ember_grad_fn(x)
printf "=== backtrace\n"
backtrace
# Last: the one command that runs code in the program. Debian 12's gdb 13 runs
# it, but on a CPU with AMX (Sapphire Rapids and later) cannot restore the
# registers afterwards ("Couldn't write extended state status: Bad address":
# Linux refuses gdb's fixed-size XSAVE buffer) and stops reading this file there.
printf "=== debug print\n"
call (void)ember_debug_print(&x)
printf "=== end\n"
kill
