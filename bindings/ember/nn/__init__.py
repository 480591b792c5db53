"""ember.nn: Module and Parameter, the layers of the C++ library, containers,
losses, init and utils (gradient clipping), under torch.nn's names. See
modules/layers.py for how C++ layers and Python modules share one tree."""
from ember.nn import functional, init, utils  # noqa: F401
from ember.nn.modules.container import (ModuleDict, ModuleList, ParameterDict, ParameterList,  # noqa: F401
                                        Sequential)
from ember.nn.modules.layers import (ELU, GELU, GRU, LSTM, RNN, AdaptiveAvgPool2d, AvgPool2d,  # noqa: F401
                                     BatchNorm1d, BatchNorm2d, Bilinear, Conv1d, Conv2d, ConvTranspose1d,
                                     ConvTranspose2d, Dropout, Embedding, Flatten, GroupNorm, Identity, LayerNorm,
                                     LeakyReLU, Linear, LogSoftmax, MaxPool2d, MultiheadAttention, ReLU, Sigmoid,
                                     SiLU, Softmax, Softplus, Tanh, Unflatten)
from ember.nn.modules.loss import (BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, KLDivLoss, L1Loss,  # noqa: F401
                                   MSELoss, NLLLoss, SmoothL1Loss)
from ember.nn.modules.module import Module  # noqa: F401
from ember.nn.parameter import Parameter  # noqa: F401
