"""ember.nn.utils: gradient clipping, as torch.nn.utils."""
from ember.nn.utils.clip_grad import clip_grad_norm_, clip_grad_value_  # noqa: F401
