"""ember.nn.init: the initialisers of nn/init.h under torch.nn.init's names and
signatures. Each fills its tensor in place without recording (a Parameter
too) and returns that same tensor."""
from ember._C.nn.init import (calculate_gain, constant_, kaiming_normal_, kaiming_uniform_,  # noqa: F401
                              normal_, ones_, orthogonal_, uniform_, xavier_normal_, xavier_uniform_, zeros_)
from ember._C.nn.init import calculate_fan_in_and_fan_out as _calculate_fan_in_and_fan_out  # noqa: F401
