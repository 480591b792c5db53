"""ember.nn.Parameter: a Tensor that a Module registers as a parameter when assigned as an attribute."""
from ember._C import Tensor


class Parameter(Tensor):
    """A leaf tensor that requires grad (unless told not to), as torch.nn.Parameter.

    Parameter(t) shares t's storage, detached from t's graph, as torch's does.
    """

    def __init__(self, data=None, requires_grad=True):
        if data is None:
            from ember import empty
            data = empty(0)
        if not isinstance(data, Tensor):
            raise TypeError(f"Parameter(): argument 'data' must be Tensor, not {type(data).__name__}")
        super().__init__(data.detach())
        self.requires_grad_(requires_grad)

    @classmethod
    def _of(cls, handle):
        """The same tensor as handle (its data and autograd state), as a Parameter: how a C++ layer's
        parameters appear in Python (the layer's forward and the optimizers see one tensor)."""
        param = cls.__new__(cls)
        Tensor.__init__(param, handle)
        return param

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, protocol):
        """Pickled as torch's: a Parameter again, its data pickled as a Tensor (ember/_pickling.py)."""
        return Parameter, (Tensor(self), self.requires_grad)
