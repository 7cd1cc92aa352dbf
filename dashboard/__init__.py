"""The nightly KPI dashboard: one self-contained HTML page a manager opens from disk.

``build.render_dashboard`` reads the marts of a complete warehouse (read-only), and writes
``index.html`` with everything inside it: the numbers as embedded JSON, the styles, and a small
script that draws the charts as SVG in the page. Nothing is fetched from anywhere, so the page
works offline and leaks nothing; tables are rendered in Python (readable without the script),
charts in the browser from the same numbers. ``python -m dashboard`` (``make dashboard``)
re-renders it from the published warehouse; the nightly job renders it after each good run.
"""
