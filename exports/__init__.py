"""Word (python-docx) renderers. They take plain data handed over by a
``drafting`` selector and never import ``backend``. (Filled in by the exports
issue.)"""
