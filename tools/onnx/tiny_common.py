"""Helpers shared by the tiny-model builders in tools/onnx/."""
import json
import os


def write_json(path, obj, indent=None):
    """Writes JSON atomically (temp file + rename), creating the folder."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(obj, f, indent=indent, separators=None if indent else (",", ":"))
        f.write("\n")
    os.replace(tmp, path)
