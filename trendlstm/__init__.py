"""Stock trend prediction with a bidirectional LSTM and temporal attention."""
__version__ = "0.1.0"

import importlib, importlib.util

_MODULES = ('config', 'data', 'features', 'model', 'loss', 'metrics', 'checkpoint', 'distributed', 'trainer', 'evaluate', 'report')  # what `from trendlstm import *` exports

def _modules()->list:
    "The submodules whose public names the package exports, imported on first use"
    return [importlib.import_module(f'{__name__}.{m}') for m in _MODULES if importlib.util.find_spec(f'{__name__}.{m}')]

def __getattr__(name:str):
    "Import the submodules only when a name of theirs is asked for, so that `trendlstm --help` and `--version` do not import torch"
    if name == '__all__': return [n for m in _modules() for n in m.__all__]
    for m in _modules():
        if name in m.__all__: return getattr(m, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
