# SPDX-License-Identifier: Apache-2.0
# Type stub for rubric.dask (python/rubric/dask.py).
from typing import Any, Dict, Optional

import pandas

from . import AsOf, Model

class ModelSpec:
    kind: str
    name: str
    payload: bytes
    sha256: str
    functions: Dict[str, Any]
    backend: str

def spec_of(model: Model, backend: str = ...) -> ModelSpec: ...
def model_for(spec: ModelSpec) -> Model: ...
def cache_info() -> Dict[str, Any]: ...
def score_partition(df: pandas.DataFrame, spec: ModelSpec, as_of: AsOf, events: Optional[pandas.DataFrame] = ...,
                    explain: bool = ..., threads: int = ..., key: Optional[str] = ...,
                    warn_orphans: bool = ...) -> pandas.DataFrame: ...
def score(ddf: Any, model: Model, events: Any = ..., as_of: AsOf = ..., explain: bool = ..., threads: int = ...,
          key: Optional[str] = ..., backend: str = ...) -> Any: ...
