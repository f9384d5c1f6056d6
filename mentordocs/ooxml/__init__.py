"""The only part of mentordocs that knows WordprocessingML.

- ``ns``: namespaces, content and relationship types, our custom property names;
- ``xml``: the hardened lxml parser every part goes through;
- ``package``: reading a .docx package safely (limits, relationships, properties);
- ``controls``: building content controls for the templates;
- ``fields``: reading the fields of a filled-in form, and filling them (tests, tooling);
- ``legacy``: Word 97's legacy form fields;
- ``writing``: what the renderer changes in a template's package (custom properties).
"""
