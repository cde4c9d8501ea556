"""`bluelamp import gazetteer`, `bluelamp import street-crime` and `bluelamp import boundaries`."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from bluelamp.cliutil import command_group, database, fail


def register(app: typer.Typer) -> None:
    imports = command_group(app, "import", "Import records from other systems.")

    @imports.command("gazetteer")
    def import_gazetteer(
        file: Path = typer.Argument(..., help="OS Open Names or Code-Point Open CSV (or CSV.GZ)."),
        format: str = typer.Option(..., "--format", help="os-open-names or code-point-open"),
    ) -> None:
        """Import gazetteer entries (streets, places, postcodes); prints a JSON summary last."""
        from bluelamp.location.imports import FileError
        from bluelamp.location.imports import import_gazetteer as run

        try:
            summary = run(database(), file, format)
        except FileError as exc:
            fail(f"{file}: {exc}; nothing was imported")
        print(json.dumps(summary.to_dict()))

    @imports.command("street-crime")
    def import_street_crime(
        files: list[Path] = typer.Argument(..., help="data.police.uk street-level crime CSV or CSV.GZ files."),
    ) -> None:
        """Import street-level crime for hotspots; prints a JSON summary last."""
        from bluelamp.location.imports import FileError
        from bluelamp.location.imports import import_street_crime as run

        try:
            summary = run(database(), list(files))
        except FileError as exc:
            fail(f"{exc}; nothing was imported")
        print(json.dumps(summary.to_dict()))

    @imports.command("boundaries")
    def import_boundaries(
        file: Path = typer.Argument(..., help="A GeoJSON FeatureCollection of Polygon/MultiPolygon boundaries."),
        format: str = typer.Option("geojson", "--format", help="geojson"),
        layer: str = typer.Option("area", "--layer", help="area, beat, neighbourhood or lsoa"),
        code_property: str = typer.Option("code", "--code-property", help="The property holding each code."),
        name_property: str = typer.Option("name", "--name-property", help="The property holding each name."),
        urban_property: str = typer.Option("", "--urban-property",
                                           help="A property saying urban or rural (true/false, urban/rural, "
                                                "an ONS rural-urban code); none by default."),
        crs: str = typer.Option("", "--crs", help="EPSG:4326 or EPSG:27700 (default: the file's crs member, "
                                                  "else WGS84)."),
    ) -> None:
        """Import area boundaries (beats, neighbourhoods, LSOAs); prints a JSON summary last."""
        from bluelamp.location.boundaries import FileError, Options
        from bluelamp.location.boundaries import import_boundaries as run

        opts = Options(layer=layer, code_property=code_property, name_property=name_property,
                       urban_property=urban_property or None, crs=crs or None)
        try:
            summary = run(database(), file, format, opts)
        except FileError as exc:
            fail(f"{file}: {exc}; nothing was imported")
        print(json.dumps(summary.to_dict()))
