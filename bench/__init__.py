"""`make bench`: timings of the portal's pages at scale, through Django's test client.

Cases live in a registry (bench.registry) so any app can add its own: put a
`bench_cases.py` module in the app and register cases there; `bench.run` imports
every installed app's `bench_cases` before it runs.
"""
