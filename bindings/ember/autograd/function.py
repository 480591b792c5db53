"""ember.autograd.Function: custom differentiable functions written in Python,
as torch.autograd.Function (static forward(ctx, ...) and backward(ctx, ...)).

forward runs without recording; apply then records one node whose backward
calls the class's backward with the GIL held. Saved outputs are kept detached
(no history), so a node never keeps itself alive through its ctx; saved inputs
keep theirs."""
from ember import _C
from ember._C import Tensor
from ember.autograd.grad_mode import no_grad


class FunctionCtx:
    """What forward leaves for backward: save_for_backward, needs_input_grad, and attributes."""

    def save_for_backward(self, *tensors):
        self._to_save = tensors

    @property
    def saved_tensors(self):
        return getattr(self, "_saved", ())

    def mark_non_differentiable(self, *tensors):
        self._non_differentiable = tensors

    def set_materialize_grads(self, value):
        self._materialize_grads = value


class Function:
    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement the backward function for custom autograd.Function.")

    @classmethod
    def apply(cls, *args):
        ctx = FunctionCtx()
        ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
        with no_grad():
            result = cls.forward(ctx, *args)
        outputs = result if isinstance(result, tuple) else (result,)
        saved = getattr(ctx, "_to_save", ())
        ctx._saved = tuple(t.detach() if any(t is o for o in outputs) else t for t in saved)
        inputs = [a for a in args if isinstance(a, Tensor)]
        if not (_C.is_grad_enabled() and any(ctx.needs_input_grad)):
            return result
        skip = getattr(ctx, "_non_differentiable", ())
        recorded = [o for o in outputs if isinstance(o, Tensor) and not any(o is s for s in skip)]
        shapes = [(o.shape, o.dtype) for o in recorded]
        positions = [i for i, a in enumerate(args) if isinstance(a, Tensor)]

        def backward(grads):
            if getattr(ctx, "_materialize_grads", True):
                grads = [g if g is not None else _C.zeros(*shape, dtype=dtype) for g, (shape, dtype) in zip(grads, shapes)]
            results = cls.backward(ctx, *grads)
            results = results if isinstance(results, tuple) else (results,)
            if len(results) != len(args):
                raise RuntimeError(f"function {cls.__name__}Backward returned an incorrect number of gradients "
                                   f"(expected {len(args)}, got {len(results)})")
            return [results[i] for i in positions]

        _C._record_function(cls.__name__, inputs, recorded, backward)
        return result
