"""The certificate and the pledge as text and as a PDF: plain Python, no ipywidgets.

``text`` holds the wording (from the UI catalogues) shared by the page and the PDF,
``fonts`` finds a TrueType font with Vietnamese glyphs, ``pdf`` lays the certificate out.
"""
