# lldb summaries for ember (docs/debugging.md), the lldb side of
# tools/gdb/ember_printers.py: Tensor, Node, Shape, DType, Device, read from
# memory only. Load with:  command script import <prefix>/share/ember/lldb/ember_formatters.py
# The value formatting (PyTorch's layout, dtype names, node names) is the gdb
# file's, imported with a stand-in `gdb` module so that there is one copy.
import os
import sys
import types

import lldb


def _load_shared_formatting():
    here = os.path.dirname(os.path.abspath(__file__))
    for candidate in (os.path.join(here, "..", "gdb", "ember_printers.py"), os.path.join(here, "ember_printers.py")):
        if os.path.exists(candidate):
            break
    stub = types.ModuleType("gdb")
    stub.Function = type("Function", (), {"__init__": lambda self, name: None})
    stub.pretty_printers = []
    stub.current_objfile = lambda: None
    stub.printing = types.ModuleType("gdb.printing")
    saved = {name: sys.modules.get(name) for name in ("gdb", "gdb.printing")}
    sys.modules["gdb"], sys.modules["gdb.printing"] = stub, stub.printing
    try:
        namespace = {"__name__": "ember_printers_shared"}
        with open(candidate) as f:
            exec(compile(f.read(), candidate, "exec"), namespace)
    finally:
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module
    return types.SimpleNamespace(**namespace)


shared = _load_shared_formatting()


def member(value, name):
    child = value.GetChildMemberWithName(name)
    if not child.IsValid():
        raise ValueError("no member " + name)
    return child


def pointer_of(smart):
    """The pointer inside an intrusive_ptr, shared_ptr or unique_ptr, as an SBValue."""
    for name in ("p_", "_M_ptr"):
        child = smart.GetChildMemberWithName(name)
        if child.IsValid():
            return child
    target = smart.GetType().GetTemplateArgumentType(0)
    return smart.AddressOf().Cast(target.GetPointerType().GetPointerType()).Dereference()


def shape_list(shape):
    heap = member(shape, "heap_").GetValueAsUnsigned()
    size = member(shape, "size_").GetValueAsUnsigned()
    data = heap if heap else member(shape, "inline_").AddressOf().GetValueAsUnsigned()
    process = shape.GetProcess()
    error = lldb.SBError()
    values = [process.ReadUnsignedFromMemory(data + 8 * i, 8, error) for i in range(size)]
    return [v - (1 << 64) if v >= 1 << 63 else v for v in values]


def dtype_name(value):
    index = value.GetValueAsUnsigned()
    return shared.DTYPES[index] if index < len(shared.DTYPES) else "dtype(%d)" % index


def device_name(value):
    kind, index = member(value, "type_").GetValueAsUnsigned(), member(value, "index_").GetValueAsSigned()
    return "cpu" if kind == 0 else ("cuda" if index < 0 else "cuda:%d" % index)


def c_string(value):
    address = value.GetValueAsUnsigned()
    return value.GetProcess().ReadCStringFromMemory(address, 256, lldb.SBError()) if address else ""


def tensor_summary(valobj, internal_dict):
    impl = pointer_of(member(valobj.GetNonSyntheticValue(), "impl_"))
    if impl.GetValueAsUnsigned() == 0:
        return "tensor(undefined)"
    impl = impl.Dereference()
    process = valobj.GetProcess()
    sizes, strides = shape_list(member(impl, "sizes_")), shape_list(member(impl, "strides_"))
    dtype = dtype_name(member(impl, "dtype_"))
    storage = pointer_of(member(impl, "storage_")).Dereference()
    device = device_name(member(storage, "device_"))
    numel = member(impl, "numel_").GetValueAsSigned()
    if device != "cpu":
        body = "<%d values on %s, not readable from the host>" % (numel, device)
    else:
        data = member(storage, "data_").GetValueAsUnsigned() + member(impl, "offset_").GetValueAsSigned() * shared.FORMATS[dtype][1]

        def read(address, size):
            error = lldb.SBError()
            raw = process.ReadMemory(address, size, error)
            if not error.Success():
                raise ValueError("memory at 0x%x not readable" % address)
            return raw

        body = shared.tensor_body(read, data, dtype, sizes, strides, numel)
    parts = ["shape=[%s]" % ", ".join(str(s) for s in sizes), "dtype=" + dtype, "device=" + device]
    meta = pointer_of(member(impl, "autograd_"))
    requires_grad, grad_fn = False, None
    if meta.GetValueAsUnsigned():
        meta = meta.Dereference()
        requires_grad = member(meta, "requires_grad").GetValueAsUnsigned() != 0
        if pointer_of(member(meta, "grad_fn")).GetValueAsUnsigned():
            grad_fn = shared.backward_name(c_string(member(meta, "grad_fn_op")))
    parts.append("requires_grad=" + ("True" if requires_grad else "False"))
    if grad_fn:
        parts.append("grad_fn=" + grad_fn)
    return "tensor(" + body + ", " + ", ".join(parts) + ")"


def node_summary(valobj, internal_dict):
    node = valobj.GetNonSyntheticValue()
    label = "%s #%d" % (shared.backward_name(c_string(member(node, "op_"))), member(node, "sequence_nr_").GetValueAsUnsigned())
    site = pointer_of(member(node, "site_"))
    where = c_string(member(member(site.Dereference(), "_M_dataplus"), "_M_p")) if site.GetValueAsUnsigned() else c_string(member(node, "op_"))
    return "%s, recorded in %s" % (label, where)


def __lldb_init_module(debugger, internal_dict):
    module = __name__
    for type_name, function in (("ember::Tensor", "tensor_summary"), ("ember::autograd::Node", "node_summary"),
                                ("ember::Shape", "shape_summary"), ("ember::DType", "dtype_summary"),
                                ("ember::Device", "device_summary")):
        debugger.HandleCommand('type summary add -F %s.%s "%s"' % (module, function, type_name))


def shape_summary(valobj, internal_dict):
    return "[%s]" % ", ".join(str(s) for s in shape_list(valobj))


def dtype_summary(valobj, internal_dict):
    return dtype_name(valobj)


def device_summary(valobj, internal_dict):
    return device_name(valobj)
