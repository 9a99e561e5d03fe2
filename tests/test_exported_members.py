import types

import rampkit


def test_all_is_complete_and_sorted():
    public = {
        name
        for name, value in vars(rampkit).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
        and name != "annotations"
    }
    assert public | {"__version__"} <= set(rampkit.__all__)
    for name in rampkit.__all__:
        assert getattr(rampkit, name) is not None
        assert name in dir(rampkit)
    assert rampkit.__all__ == sorted(rampkit.__all__, key=str.casefold)


def test_import_is_light():
    import subprocess
    import sys

    code = (
        "import sys, rampkit; heavy = [m for m in ('ipyleaflet', 'ipywidgets', 'fastapi', "
        "'uvicorn', 'dask', 'matplotlib', 'httpx', 'numba', 'mapclassify', 'xarray', "
        "'pandas') "
        "if m in sys.modules]; print(heavy)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, timeout=60)
    assert result.stdout.strip() == "[]"
