"""OpenAPI post-processing."""

INTERNATIONAL_FORMATS = {"email": "idn-email", "uri": "iri"}


def international_formats(result, generator, request, public):
    """Django accepts internationalised emails and domains; say so in the schema, so strict
    clients do not reject values the API legitimately returns."""

    def walk(node):
        if isinstance(node, dict):
            if node.get("format") in INTERNATIONAL_FORMATS and node.get("type") == "string":
                node["format"] = INTERNATIONAL_FORMATS[node["format"]]
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(result)
    return result
