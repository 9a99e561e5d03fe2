"""Render one-band GeoTIFFs with QGIS styles and print the RGBA as JSON.

Run with the Python that has PyQGIS (Debian's python3-qgis):

    python3 qgis_render.py VALUES.tif STYLE [VALUES.tif STYLE ...]

Each STYLE is a QML layer style or a QGIS color map export file (``.txt``).
QGIS starts once for all pairs. The output is one JSON object,
``{"version": ..., "results": [{"renderer": ..., "rgba": [[r, g, b, a], ...]}]}``,
with the pixels of each pair in row-major order, unpremultiplied.

QGIS is imported inside the functions, so pytest can import this file while
collecting doctests on a machine without PyQGIS.
"""

import json
import os
import sys


def render(raster_path, style_path):
    from qgis.core import (
        QgsColorRampShader,
        QgsRasterLayer,
        QgsRasterRendererUtils,
        QgsRasterShader,
        QgsSingleBandPseudoColorRenderer,
    )
    from qgis.PyQt.QtGui import QColor, QImage

    layer = QgsRasterLayer(raster_path, "values")
    if not layer.isValid():
        raise SystemExit(f"QGIS cannot open {raster_path}")
    if style_path.endswith(".qml"):
        message, ok = layer.loadNamedStyle(style_path)
        if not ok:
            raise SystemExit(f"QGIS rejected {style_path}: {message}")
    else:
        ok, items, ramp_type, errors = QgsRasterRendererUtils.parseColorMapFile(style_path)
        if not ok:
            raise SystemExit(f"QGIS rejected {style_path}: {errors}")
        function = QgsColorRampShader(items[0].value, items[-1].value)
        function.setColorRampType(ramp_type)
        function.setColorRampItemList(items)
        shader = QgsRasterShader()
        shader.setRasterShaderFunction(function)
        layer.setRenderer(QgsSingleBandPseudoColorRenderer(layer.dataProvider(), 1, shader))
    renderer = layer.renderer()
    block = renderer.block(1, layer.dataProvider().extent(), layer.width(), layer.height())
    image = block.image().convertToFormat(QImage.Format_ARGB32)
    rgba = []
    for row in range(layer.height()):
        for col in range(layer.width()):
            color = QColor.fromRgba(image.pixel(col, row))
            rgba.append([color.red(), color.green(), color.blue(), color.alpha()])
    return {"renderer": type(renderer).__name__, "rgba": rgba}


def main(arguments):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from qgis.core import Qgis, QgsApplication

    app = QgsApplication([], False)
    app.initQgis()
    pairs = zip(arguments[0::2], arguments[1::2], strict=True)
    results = [render(raster, style) for raster, style in pairs]
    print(json.dumps({"version": Qgis.QGIS_VERSION, "results": results}))
    sys.stdout.flush()
    # QGIS 3.22 can crash while tearing down at exit; the output is complete
    # by now, so leave without running the teardown.
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv[1:])
