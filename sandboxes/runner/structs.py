"""Objects of trusted helper classes crossing between judge and candidate as structure. Stdlib only.

Tests that build linked lists or trees on the judge's side (LeetCodeDataset's `list_node`,
`tree_node`) hand them to the candidate, and compare what it returns with trusted helpers
(`is_same_list`). Neither side's objects may cross as objects: the candidate must not get
the judge's, and the judge must never run the candidate's methods (an always-equal `__eq__`).
So an object crosses as a graph of plain data: each node is a class name and its instance
attributes (plain values, containers, or references to other nodes), shared and cyclic
references kept. The receiving side builds instances of its own class of that name without
running any constructor: the judge only classes its trusted code defined, the candidate its own.

    {"__t": "graph", "nodes": [[class name, [[attribute, value], ...]], ...], "root": value}
    a reference to node i: {"__t": "ref", "v": i}
"""
from sandboxes.runner.protocol import MAX_DEPTH, UnsupportedValue, decode_plain, encode_plain

MAX_NODES = 1 << 20
MAX_ATTRS = 64


def encode_graph(value, is_struct) -> dict:
    """value (holding objects for which is_struct(obj)) as a graph; UnsupportedValue when some
    attribute is neither plain data nor such an object."""
    index, nodes, queue = {}, [], []

    def enc(v, depth):
        if is_struct(v):
            i = index.get(id(v))
            if i is None:
                if len(nodes) >= MAX_NODES:
                    raise UnsupportedValue("structure has too many objects")
                i = index[id(v)] = len(nodes)
                nodes.append(None)
                queue.append(v)
            return {"__t": "ref", "v": i}
        if depth > MAX_DEPTH:
            raise UnsupportedValue("value nested too deeply")
        t = type(v)
        if t is list:
            return [enc(x, depth + 1) for x in v]
        if t in (tuple, set, frozenset):
            return {"__t": t.__name__, "v": [enc(x, depth + 1) for x in v]}
        if t is dict:
            return {"__t": "dict", "v": [[encode_plain(k), enc(x, depth + 1)] for k, x in v.items()]}
        return encode_plain(v, depth)

    root = enc(value, 0)
    k = 0
    while k < len(queue):   # breadth first: a 100,000-node list never recurses
        obj = queue[k]
        attrs = getattr(obj, "__dict__", None)
        if type(attrs) is not dict or len(attrs) > MAX_ATTRS:
            raise UnsupportedValue("not a plain structure: %s" % type(obj).__name__)
        nodes[k] = [type(obj).__name__, [[a, enc(x, 0)] for a, x in attrs.items() if type(a) is str]]
        k += 1
    return {"__t": "graph", "nodes": nodes, "root": root}


def is_graph(node) -> bool:
    return type(node) is dict and node.get("__t") == "graph"


def decode_graph(node: dict, make):
    """The value a graph describes; make(class name) returns a new, empty instance (or raises
    UnsupportedValue for a class this side does not accept)."""
    nodes = node.get("nodes")
    if type(nodes) is not list or len(nodes) > MAX_NODES:
        raise UnsupportedValue("malformed structure")
    objs = []
    for n in nodes:
        if type(n) is not list or len(n) != 2 or type(n[0]) is not str or type(n[1]) is not list:
            raise UnsupportedValue("malformed structure")
        objs.append(make(n[0]))

    def dec(v, depth):
        if depth > MAX_DEPTH:
            raise UnsupportedValue("value nested too deeply")
        t = type(v)
        if t is list:
            return [dec(x, depth + 1) for x in v]
        if t is dict:
            tag, inner = v.get("__t"), v.get("v")
            if tag == "ref":
                if type(inner) is not int or not 0 <= inner < len(objs):
                    raise UnsupportedValue("malformed structure")
                return objs[inner]
            if tag in ("tuple", "set", "frozenset") and type(inner) is list:
                items = [dec(x, depth + 1) for x in inner]
                return {"tuple": tuple, "set": set, "frozenset": frozenset}[tag](items)
            if tag == "dict" and type(inner) is list:
                return {decode_plain(k): dec(x, depth + 1) for k, x in inner}
        return decode_plain(v, depth)

    for obj, (_, attrs) in zip(objs, nodes):
        if len(attrs) > MAX_ATTRS:
            raise UnsupportedValue("malformed structure")
        for pair in attrs:
            if type(pair) is not list or len(pair) != 2 or type(pair[0]) is not str or pair[0].startswith("__"):
                raise UnsupportedValue("malformed structure")
            obj.__dict__[pair[0]] = dec(pair[1], 0)
    return dec(node.get("root"), 0)


def blank_instance(cls):
    """An instance of cls with no constructor run (attributes come from the graph)."""
    obj = object.__new__(cls)
    if type(getattr(obj, "__dict__", None)) is not dict:
        raise UnsupportedValue("class %s has no instance dict" % cls.__name__)
    return obj
