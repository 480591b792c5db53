# Run by check_gdb.sh after `break step_through.cpp:<line of BREAK HERE>`.
set pagination off
set confirm off
run
printf "=== tensor\n"
print x
printf "=== debug print\n"
call (void)ember_debug_print(&x)
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
printf "=== end\n"
kill
