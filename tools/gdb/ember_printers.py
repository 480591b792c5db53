# gdb pretty-printers for ember (docs/debugging.md). They read the process's
# memory only and never call into it, so they work on core files, in optimised
# builds and when the process is wedged. Loaded automatically from libember's
# .debug_gdb_scripts section (or: source tools/gdb/ember_printers.py).
#   Tensor     tensor([[0.1000, 2.0000]], shape=[1, 2], dtype=float32, device=cpu, requires_grad=True, grad_fn=MulBackward)
#   Node       MulBackward #12, recorded in encoder.fc2 (Linear), inputs: [AccumulateGrad, ReluBackward #11]
#   Shape [2, 3]   DType float32   Device cuda:0
# The layouts read here are those of core/tensor_impl.h, core/storage.h,
# core/shape.h, core/device.h and autograd/node.h, and libstdc++'s
# std::string, std::vector and std::shared_ptr; a change there changes this file.
import math
import re
import struct

import gdb
import gdb.printing

DTYPES = ["float32", "float64", "float16", "bfloat16", "int64", "int32", "uint8", "bool"]
# struct formats and element sizes per dtype (bfloat16: the top half of a float32)
FORMATS = {"float32": ("<f", 4), "float64": ("<d", 8), "float16": ("<e", 2), "bfloat16": ("<H", 2),
           "int64": ("<q", 8), "int32": ("<i", 4), "uint8": ("<B", 1), "bool": ("<?", 1)}
PRECISION, THRESHOLD, EDGE_ITEMS, LINE_WIDTH = 4, 1000, 3, 80  # core/print.cpp's (PyTorch's) options


# ---- reading libstdc++ and ember containers ----

def pointer_of(smart):
    """The raw pointer held by an intrusive_ptr, shared_ptr or (single-pointer) unique_ptr."""
    for field in ("p_", "_M_ptr"):
        try:
            return smart[field]
        except gdb.error:
            pass
    # std::unique_ptr<T> with the default deleter is one pointer in every standard library.
    target = smart.type.strip_typedefs().template_argument(0)
    return smart.address.cast(target.pointer().pointer()).dereference()


def std_string(value):
    try:
        return value["_M_dataplus"]["_M_p"].string(length=int(value["_M_string_length"]))
    except gdb.error:
        return value.format_string(raw=False).strip('"')


def std_vector(value):
    start, finish = value["_M_impl"]["_M_start"], value["_M_impl"]["_M_finish"]
    return [(start + i).dereference() for i in range(int(finish - start))]


def shape_list(shape):
    heap = shape["heap_"]
    data = heap if int(heap) != 0 else shape["inline_"][0].address
    return [int((data + i).dereference()) for i in range(int(shape["size_"]))]


def dtype_name(value):
    index = int(value)
    return DTYPES[index] if 0 <= index < len(DTYPES) else "dtype(%d)" % index


def device_name(value):
    kind, index = int(value["type_"]), int(value["index_"])
    if kind == 0:
        return "cpu"
    return "cuda" if index < 0 else "cuda:%d" % index


def backward_name(op):
    """autograd's name of a node from its op: "log_softmax" -> "LogSoftmaxBackward" (core/tensor_impl.cpp)."""
    if op == "accumulate_grad":
        return "AccumulateGrad"
    return "".join(part[:1].upper() + part[1:] for part in op.split("_")) + "Backward"


# ---- formatting values as core/print.cpp does ----

def python_float(v, spec):
    return "nan" if math.isnan(v) else spec.format(v)


def format_floats(values):
    finite = [v for v in values if math.isfinite(v) and v != 0]
    int_mode, sci_mode, width = True, False, 1
    if finite:
        min_abs, max_abs = min(abs(v) for v in finite), max(abs(v) for v in finite)
        int_mode = all(v == math.ceil(v) for v in finite)
        sci_mode = max_abs / min_abs > 1000.0 or max_abs > 1.0e8 or (not int_mode and min_abs < 1.0e-4)
        for v in finite:
            if sci_mode:
                width = max(width, len("{:.4e}".format(v)))
            elif int_mode:
                width = max(width, len("{:.0f}".format(v)) + 1)
            else:
                width = max(width, len("{:.4f}".format(v)))
    cells = []
    for v in values:
        if sci_mode:
            s = python_float(v, "{:.4e}")
        elif int_mode:
            s = python_float(v, "{:.0f}") + ("." if math.isfinite(v) else "")
        else:
            s = python_float(v, "{:.4f}")
        cells.append(s.rjust(width))
    return cells, width


def format_integers(values, is_bool):
    text = [("True" if v else "False") if is_bool else str(v) for v in values]
    width = max([1] + [len(s) for s in text])
    return [s.rjust(width) for s in text], width


def shown_indices(size, summarize):
    if summarize and size > 2 * EDGE_ITEMS:
        return list(range(EDGE_ITEMS)) + list(range(size - EDGE_ITEMS, size))
    return list(range(size))


class Layout:
    """core/print.cpp's Layout: cells in nested brackets, wrapped at LINE_WIDTH."""

    def __init__(self, cells, width, shape, summarize):
        self.cells, self.width, self.shape, self.summarize, self.next = cells, width, shape, summarize, 0

    def nested(self, dim, indent):
        if not self.shape:
            self.next += 1
            return self.cells[self.next - 1]
        if dim + 1 == len(self.shape):
            return self.vector(dim, indent)
        size = self.shape[dim]
        cut = self.summarize and size > 2 * EDGE_ITEMS
        slices = []
        for i in shown_indices(size, self.summarize):
            if cut and i == size - EDGE_ITEMS:
                slices.append("...")
            slices.append(self.nested(dim + 1, indent + 1))
        rank_below = len(self.shape) - dim - 1
        return "[" + ("," + "\n" * rank_below + " " * (indent + 1)).join(slices) + "]"

    def vector(self, dim, indent):
        size = self.shape[dim]
        cut = self.summarize and size > 2 * EDGE_ITEMS
        items = []
        for i in shown_indices(size, self.summarize):
            if cut and i == size - EDGE_ITEMS:
                items.append(" ...")
            items.append(self.cells[self.next])
            self.next += 1
        per_line = max(1, (LINE_WIDTH - indent) // (self.width + 2))
        lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def read_values(read, data, dtype, sizes, strides, summarize):
    """The shown elements, row-major; read(address, nbytes) -> bytes reads the process's memory."""
    fmt, size = FORMATS[dtype]
    out = []

    def gather(dim, offset):
        if dim == len(sizes):
            value = struct.unpack(fmt, read(data + offset * size, size))[0]
            if dtype == "bfloat16":
                value = struct.unpack("<f", struct.pack("<I", value << 16))[0]
            out.append(value)
            return
        for i in shown_indices(sizes[dim], summarize):
            gather(dim + 1, offset + i * strides[dim])

    gather(0, 0)
    return out


def tensor_body(read, data, dtype, sizes, strides, numel):
    """What core/print.cpp prints between "tensor(" and the suffixes. Shared with tools/lldb."""
    if numel == 0:
        return "[]"
    summarize = numel > THRESHOLD
    values = read_values(read, data, dtype, sizes, strides, summarize)
    if dtype in ("float32", "float64", "float16", "bfloat16"):
        cells, width = format_floats([float(v) for v in values])
    else:
        cells, width = format_integers([int(v) for v in values], dtype == "bool")
    return Layout(cells, width, sizes, summarize).nested(0, len("tensor("))


def gdb_read(address, size):
    return bytes(gdb.selected_inferior().read_memory(address, size))


def describe_impl(impl):
    """The text of a TensorImpl: values (CPU only) and every piece of metadata."""
    sizes, strides = shape_list(impl["sizes_"]), shape_list(impl["strides_"])
    dtype = dtype_name(impl["dtype_"])
    storage = pointer_of(impl["storage_"])
    if int(storage) == 0:
        return "tensor(<no storage>)"
    storage = storage.dereference()
    device = device_name(storage["device_"])
    numel = int(impl["numel_"])
    if device != "cpu":
        body = "<%d values on %s, not readable from the host>" % (numel, device)
    else:
        data = int(storage["data_"]) + int(impl["offset_"]) * FORMATS[dtype][1]
        try:
            body = tensor_body(gdb_read, data, dtype, sizes, strides, numel)
        except gdb.MemoryError:
            body = "<memory at 0x%x not readable>" % data
    parts = ["shape=[%s]" % ", ".join(str(s) for s in sizes), "dtype=" + dtype, "device=" + device]
    meta = pointer_of(impl["autograd_"])
    requires_grad, grad_fn = False, None
    if int(meta) != 0:
        meta = meta.dereference()
        requires_grad = bool(meta["requires_grad"])
        if int(pointer_of(meta["grad_fn"])) != 0 and int(meta["grad_fn_op"]) != 0:
            grad_fn = backward_name(meta["grad_fn_op"].string())
    parts.append("requires_grad=" + ("True" if requires_grad else "False"))
    if grad_fn:
        parts.append("grad_fn=" + grad_fn)
    return "tensor(" + body + ", " + ", ".join(parts) + ")"


# ---- the printers ----

class TensorPrinter:
    def __init__(self, value):
        self.value = value

    def to_string(self):
        impl = pointer_of(self.value["impl_"])
        if int(impl) == 0:
            return "tensor(undefined)"
        return describe_impl(impl.dereference())


class TensorImplPrinter:
    def __init__(self, value):
        self.value = value

    def to_string(self):
        return describe_impl(self.value)


def node_label(node):
    """"MulBackward #12" from a Node value (static type Node is enough: op_ and sequence_nr_ are in the base)."""
    return "%s #%d" % (backward_name(node["op_"].string()), int(node["sequence_nr_"]))


class NodePrinter:
    def __init__(self, value):
        self.value = value

    def to_string(self):
        node = self.value
        # Derived nodes (LambdaNode<F>, AccumulateGrad) keep the base's fields.
        try:
            base = node.cast(gdb.lookup_type("ember::autograd::Node"))
        except gdb.error:
            base = node
        site = pointer_of(base["site_"])
        where = std_string(site.dereference()) if int(site) != 0 else base["op_"].string()
        inputs = []
        for edge in std_vector(base["next_edges_"]):
            target = pointer_of(edge["node"])
            inputs.append(node_label(target.dereference()) if int(target) != 0 else "(none)")
        text = "%s, recorded in %s, inputs: [%s]" % (node_label(base), where, ", ".join(inputs))
        frames = len(std_vector(base["record_frames_"]))
        if frames:
            text += ", anomaly stack of %d frames (Node::record_stack())" % frames
        return text


class ShapePrinter:
    def __init__(self, value):
        self.value = value

    def to_string(self):
        return "[%s]" % ", ".join(str(s) for s in shape_list(self.value))


class DTypePrinter:
    def __init__(self, value):
        self.value = value

    def to_string(self):
        return dtype_name(self.value)


class DevicePrinter:
    def __init__(self, value):
        self.value = value

    def to_string(self):
        return device_name(self.value)


PRINTERS = [
    (re.compile(r"^ember::Tensor$"), TensorPrinter),
    (re.compile(r"^ember::TensorImpl$"), TensorImplPrinter),
    (re.compile(r"^ember::autograd::(Node|AccumulateGrad|detail::LambdaNode<.*>)$"), NodePrinter),
    (re.compile(r"^ember::Shape$"), ShapePrinter),
    (re.compile(r"^ember::DType$"), DTypePrinter),
    (re.compile(r"^ember::Device$"), DevicePrinter),
]


def lookup(value):
    type_ = value.type
    if type_.code == gdb.TYPE_CODE_REF or type_.code == gdb.TYPE_CODE_RVALUE_REF:
        type_ = type_.target()
    name = type_.unqualified().strip_typedefs().tag
    if not name:
        return None
    for pattern, printer in PRINTERS:
        if pattern.match(name):
            return printer(value)
    return None


class GradFn(gdb.Function):
    """$ember_grad_fn(tensor): the Node that produced a Tensor (void when it is a leaf), from memory."""

    def __init__(self):
        super().__init__("ember_grad_fn")

    def invoke(self, tensor):
        impl = pointer_of(tensor["impl_"])
        if int(impl) == 0:
            raise gdb.GdbError("$ember_grad_fn: an undefined tensor")
        meta = pointer_of(impl.dereference()["autograd_"])
        node = pointer_of(meta.dereference()["grad_fn"]) if int(meta) != 0 else None
        if node is None or int(node) == 0:
            raise gdb.GdbError("$ember_grad_fn: a leaf (no grad_fn)")
        return node.dereference()


def register(objfile=None):
    # Once per gdb session, however many objfiles (libember, a static binary) carry this script.
    if any(getattr(p, "__name__", "") == "ember" or getattr(p, "name", "") == "ember" for p in gdb.pretty_printers):
        return
    lookup.name = "ember"
    gdb.pretty_printers.append(lookup)
    GradFn()


register(gdb.current_objfile())
