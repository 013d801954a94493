"""Stock trend prediction with a bidirectional LSTM and temporal attention."""
__version__ = "0.1.0"

from .data import *
from .model import *
from .loss import *
from .trainer import *
from .evaluate import *
