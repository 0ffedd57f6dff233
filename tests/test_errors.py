"""One exception root: every exception class the product defines derives from
:class:`schemas.errors.WebcareError`, so a caller can tell "ours" from bugs and library errors
(each keeps its builtin base too, so ``except ValueError`` and the like still catch it)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

from schemas.errors import WebcareError

PACKAGES = ("schemas", "ingest", "classify", "route", "sinks", "bus", "webcare")


def product_modules():
    for root in PACKAGES:
        package = importlib.import_module(root)
        yield package
        for info in pkgutil.walk_packages(package.__path__, root + "."):
            yield importlib.import_module(info.name)


def defined_exceptions(module):
    """The exception classes ``module`` defines, nested ones included."""
    found, todo = [], [obj for obj in vars(module).values() if inspect.isclass(obj)]
    while todo:
        cls = todo.pop()
        if cls.__module__ != module.__name__:
            continue
        if issubclass(cls, BaseException):
            found.append(cls)
        todo.extend(obj for obj in vars(cls).values() if inspect.isclass(obj))
    return found


def test_every_product_exception_derives_from_webcare_error():
    exceptions = {f"{cls.__module__}.{cls.__qualname__}": cls
                  for module in product_modules() for cls in defined_exceptions(module)}
    assert len(exceptions) > 30  # the walk found the product's modules
    strays = sorted(name for name, cls in exceptions.items()
                    if not issubclass(cls, WebcareError))
    assert strays == [], f"derive these from schemas.errors.WebcareError: {strays}"


def test_the_builtin_bases_still_catch():
    from schemas.dead_letters import MalformedInput
    from webcare.app.service import Forbidden, NotFound
    from webcare.job.config import ConfigError

    assert issubclass(ConfigError, ValueError) and issubclass(MalformedInput, ValueError)
    assert issubclass(NotFound, LookupError) and issubclass(Forbidden, PermissionError)
