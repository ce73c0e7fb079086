# SPDX-License-Identifier: Apache-2.0
# Type stub for the rubric package (python/rubric/__init__.py).
import datetime
import os
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

import pandas

__version__: str

AsOf = Union[str, int, float, datetime.datetime, datetime.date, None]
Functions = Mapping[str, Tuple[Sequence[str], str, Callable[..., Any]]]

class Diagnostic:
    id: str
    severity: str
    file: str
    line: int
    column: int
    message: str
    hints: List[str]
    def __init__(self, id: str, severity: str, file: str, line: int, column: int, message: str,
                 hints: List[str] = ...) -> None: ...

class CompileError(Exception):
    text: str
    diagnostics: List[Diagnostic]
    def __init__(self, text: str, diagnostics: List[Diagnostic]) -> None: ...

class Explanation:
    result: Dict[str, Any]
    model_name: str
    @property
    def rules(self) -> List[Dict[str, Any]]: ...
    def __getitem__(self, k: str) -> Any: ...
    def _repr_html_(self) -> str: ...

class Model:
    name: str
    source: Optional[str]
    path: Optional[str]
    functions: Dict[str, Tuple[Sequence[str], str, Callable[..., Any]]]
    @property
    def score_names(self) -> List[str]: ...
    @property
    def tier_set_names(self) -> List[str]: ...
    @property
    def key_field(self) -> str: ...
    @property
    def backend(self) -> str: ...
    @property
    def columns(self) -> List[str]: ...
    def fingerprint(self) -> str: ...
    def score(self, lead: Dict[str, Any], as_of: AsOf = ..., explain: bool = ...) -> Dict[str, Any]: ...
    def score_many(self, leads: Iterable[Dict[str, Any]], as_of: AsOf = ..., explain: bool = ...,
                   threads: Optional[int] = ...) -> List[Dict[str, Any]]: ...
    def explain(self, lead: Dict[str, Any], as_of: AsOf = ...) -> Explanation: ...
    def score_frame(self, df: pandas.DataFrame, events: Optional[pandas.DataFrame] = ..., as_of: AsOf = ...,
                    explain: bool = ..., threads: Optional[int] = ..., key: Optional[str] = ...) -> pandas.DataFrame: ...

def parse_as_of(as_of: AsOf) -> int: ...
def compile(text: str, name: Optional[str] = ..., functions: Optional[Functions] = ..., *, backend: str = ...,
            cache_dir: Optional[str] = ...) -> Model: ...
def load(path: Union[str, os.PathLike[str]], functions: Optional[Functions] = ..., *, backend: str = ...,
         cache_dir: Optional[str] = ...) -> Model: ...
