"""Python values to bytes on the wire, exactly as an OpenAPI document describes them.

One module per job: :mod:`.text` (a scalar as text, never a Python repr), :mod:`.styles`
(parameter ``style``/``explode`` per the OpenAPI 3.1.1 style table and Swagger 2.0's
``collectionFormat``), :mod:`.forms` (the properties of form and multipart bodies per their
Encoding Objects), :mod:`.sources` (bytes, files, paths and iterators as restartable streams),
:mod:`.multipart` (a streamed ``multipart/form-data`` encoder) and :mod:`.bodies` (which encoding
a body gets for the media type chosen). :mod:`specclient._request` puts them together.
"""
