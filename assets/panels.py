"""Panels other apps add to the asset page (documents: the asset's files), registered with
register_asset_panel() from their AppConfig.ready(), so assets imports none of them. Built per
request with the asset; the page includes ``template_name`` with ``get_context_data()`` as
``panel`` (the location page's LocationPanel, for assets)."""

from __future__ import annotations


class AssetPanel:
    template_name = ""
    order = 100

    def __init__(self, request, asset):
        self.request = request
        self.object = asset

    def get_context_data(self) -> dict:
        return {}


ASSET_PANELS: list[type[AssetPanel]] = []


def register_asset_panel(panel: type[AssetPanel]) -> None:
    if panel not in ASSET_PANELS:
        ASSET_PANELS.append(panel)
        ASSET_PANELS.sort(key=lambda p: p.order)


def asset_panels(request, asset) -> list[dict]:
    return [
        {"template_name": panel.template_name, **panel.get_context_data()}
        for panel in (panel_class(request, asset) for panel_class in ASSET_PANELS)
    ]
