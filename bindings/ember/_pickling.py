"""Pickling ember tensors (Tensor.__reduce_ex__): how DataLoader worker processes
send batches, and what copy.deepcopy and multiprocessing use.

A tensor pickles as a NumPy copy of its values with its dtype, device and
requires_grad (bfloat16, which NumPy lacks, travels as float32: exact). A
CUDA tensor is copied through host memory and unpickled onto the same device,
as torch's pickles are (rather than refusing it: the copy is what a user would
write by hand anyway); where CUDA is missing, unpickling it is the usual
"built without CUDA" error. ember.save stays safetensors: unpickling runs code,
so checkpoints never go through pickle.
"""
from ember._C import Tensor, dtype, from_numpy


def _rebuild_tensor(array, dtype_name, device, requires_grad):
    values = from_numpy(array if array.flags.writeable else array.copy())
    t = values.to(getattr(dtype, dtype_name))
    if device != "cpu":
        t = t.to(device)
    return t.requires_grad_(requires_grad)


def _reduce_tensor(self, protocol):
    if self.requires_grad and not self.is_leaf:  # torch's rule and message
        raise RuntimeError("Cowardly refusing to serialize non-leaf tensor which requires_grad, since autograd does "
                           "not support crossing process boundaries.  If you just want to transfer the data, call "
                           "detach() on the tensor before serializing (e.g., putting it on the queue).")
    values = self.detach().cpu()
    if values.dtype == dtype.bfloat16:
        values = values.to(dtype.float32)
    return _rebuild_tensor, (values.numpy(), self.dtype.name, str(self.device), self.requires_grad)


Tensor.__reduce_ex__ = _reduce_tensor
