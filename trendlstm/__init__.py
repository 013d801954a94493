"""Stock trend prediction with a bidirectional LSTM and temporal attention."""
__version__ = "0.1.0"

import ast as _ast, importlib as _importlib, re as _re
from pathlib import Path as _Path

_MODULES = ('config', 'features', 'data', 'model', 'loss', 'metrics', 'checkpoint', 'distributed', 'trainer', 'device_data', 'export', 'tracking', 'tune', 'explain', 'evaluate', 'report', 'runs', 'study')  # what `from trendlstm import *` exports

def _exports()->dict:
    "{public name: module} from each module's `__all__`, read without importing it (so `import trendlstm` stays light)"
    out = {}
    for m in _MODULES:
        found = _re.search(r'^__all__ = (\[.*?\])', (_Path(__file__).parent / f'{m}.py').read_text(), _re.M | _re.S)
        if found: out.update(dict.fromkeys(_ast.literal_eval(found.group(1)), m))
    return out

_EXPORTS = _exports()
__all__ = list(_EXPORTS)

def __getattr__(name):
    "Import the module that defines `name` on first use (torch loads only when a name that needs it is used)"
    if name in _EXPORTS: return getattr(_importlib.import_module(f'.{_EXPORTS[name]}', __name__), name)
    raise AttributeError(f"module 'trendlstm' has no attribute {name!r}")
