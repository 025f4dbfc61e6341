"""What the Trust's staff misunderstand: understanding by policy clause and question
statistics, computed from first-attempt answers with set-based aggregate queries.

measures.py holds the rules (facility, discrimination, flags, the small-numbers rule),
queries.py the SQL, report.py turns tallies into what the pages show, chart.py the SVG
geometry, exports.py the CSV files, views.py the pages (blueprint "understanding").
"""
