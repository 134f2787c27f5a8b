"""OpenAPI schema tweaks shared by every app's API."""

from typing import Any

from drf_spectacular import openapi


class AutoSchema(openapi.AutoSchema):
    """Names a nested serializer after its view: `MeView.OutputSerializer` → `MeOutput`.

    The house style nests `InputSerializer` / `OutputSerializer` inside each API view;
    without this every one of them would be a component called "Output"."""

    def _get_serializer_name(self, serializer: Any, direction: str,
                             bypass_extensions: bool = False) -> str:
        name: str = super()._get_serializer_name(serializer, direction, bypass_extensions)
        cls = serializer if isinstance(serializer, type) else type(serializer)
        qualname = cls.__qualname__
        meta = getattr(cls, "Meta", None)
        if "." in qualname and not getattr(meta, "ref_name", None):
            outer = qualname.rsplit(".", 1)[0].replace(".", "")
            name = outer.removesuffix("View").removesuffix("Api") + name
        return name
