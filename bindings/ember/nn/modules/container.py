"""Sequential, ModuleList, ModuleDict, ParameterList and ParameterDict as torch.nn's, in pure Python: they hold
any Module (Python or a C++ layer's wrapper) or Parameters, named "0", "1", ... or by key."""
import collections
import operator

from ember.nn.modules.module import Module
from ember.nn.parameter import Parameter


class _Indexed(Module):
    """What Sequential, ModuleList and ParameterList share: entries by position, in one of the module's tables
    (_table(): _modules unless overridden), registered by _store(name, value)."""

    def _table(self):
        return self._modules

    def _store(self, name, value):
        self.add_module(name, value)

    def _index(self, index):
        size = len(self)
        index = operator.index(index)
        if not -size <= index < size:
            raise IndexError(f"index {index} is out of range")
        return index % size

    def __len__(self):
        return len(self._table())

    def __iter__(self):
        return iter(self._table().values())

    def append(self, entry):
        self._store(str(len(self)), entry)
        return self

    def extend(self, entries):
        for entry in entries:
            self.append(entry)
        return self

    def __iadd__(self, entries):
        return self.extend(entries)


class _List(_Indexed):
    """What ModuleList and ParameterList share: entries named "0", "1", ... by their position."""

    def __init__(self, entries=None):
        super().__init__()
        if entries is not None:
            self.extend(entries)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return type(self)(list(self._table().values())[index])
        return self._table()[str(self._index(index))]

    def __setitem__(self, index, entry):
        self._store(str(self._index(index)), entry)


class Sequential(_Indexed):
    """Sequential(m0, m1, ...) or Sequential(OrderedDict(name=module)): forward runs them in order."""

    def __init__(self, *args):
        super().__init__()
        if len(args) == 1 and isinstance(args[0], collections.OrderedDict):
            for name, module in args[0].items():
                self.add_module(name, module)
        else:
            for index, module in enumerate(args):
                self.add_module(str(index), module)

    def forward(self, input):
        for module in self._modules.values():
            input = module(input)
        return input

    def __getitem__(self, index):
        if isinstance(index, slice):
            return type(self)(collections.OrderedDict(list(self._modules.items())[index]))
        return list(self._modules.values())[self._index(index)]

    def __setitem__(self, index, module):
        self.add_module(list(self._modules.keys())[self._index(index)], module)

    def __delitem__(self, index):
        keys = list(self._modules.keys())
        for key in keys[index] if isinstance(index, slice) else [keys[self._index(index)]]:
            del self._modules[key]


class ModuleList(_List):
    """Modules held by index, named "0", "1", ... (so state_dict keys read "0.weight")."""

    def __delitem__(self, index):
        Sequential.__delitem__(self, index)
        # Renumber, as torch does, so names stay "0", "1", ...
        modules = list(self._modules.values())
        self._modules.clear()
        for i, module in enumerate(modules):
            self._modules[str(i)] = module

    def insert(self, index, module):
        modules = list(self._modules.values())
        modules.insert(index, module)
        self._modules.clear()
        for i, m in enumerate(modules):
            self.add_module(str(i), m)

    def forward(self, *args, **kwargs):
        raise NotImplementedError("ModuleList has no forward: index it, or iterate over it")


class _Keyed(Module):
    """What ModuleDict and ParameterDict share: entries of one of the module's tables, by name, in insertion
    order; _store(key, value) registers one."""

    def __init__(self, entries=None):
        super().__init__()
        if entries is not None:
            self.update(entries)

    def _table(self):
        raise NotImplementedError

    def _store(self, key, value):
        raise NotImplementedError

    def __getitem__(self, key):
        return self._table()[key]

    def __setitem__(self, key, value):
        self._store(key, value)

    def __delitem__(self, key):
        del self._table()[key]

    def __len__(self):
        return len(self._table())

    def __iter__(self):
        return iter(self._table())

    def __contains__(self, key):
        return key in self._table()

    def keys(self):
        return self._table().keys()

    def items(self):
        return self._table().items()

    def values(self):
        return self._table().values()

    def pop(self, key):
        return self._table().pop(key)

    def clear(self):
        self._table().clear()

    def update(self, entries):
        items = entries.items() if hasattr(entries, "items") else entries
        for key, value in items:
            self[key] = value


class ModuleDict(_Keyed):
    """Modules held by name, in insertion order."""

    def _table(self):
        return self._modules

    def _store(self, key, module):
        self.add_module(key, module)

    def forward(self, *args, **kwargs):
        raise NotImplementedError("ModuleDict has no forward: index it by name")

def _as_parameter(value):
    """What ParameterList/ParameterDict store: a Tensor becomes a Parameter (as torch's do), None stays."""
    return value if value is None or isinstance(value, Parameter) else Parameter(value)


class ParameterList(_List):
    """Parameters held by index, named "0", "1", ...; Tensors given become Parameters (torch.nn.ParameterList)."""

    def _table(self):
        return self._parameters

    def _store(self, name, value):
        self.register_parameter(name, _as_parameter(value))


class ParameterDict(_Keyed):
    """Parameters held by name, in insertion order; Tensors given become Parameters (torch.nn.ParameterDict)."""

    def _table(self):
        return self._parameters

    def _store(self, key, value):
        self.register_parameter(key, _as_parameter(value))
