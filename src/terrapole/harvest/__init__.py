"""Harvesting the poles' catalogs into the one catalog: CSW, OAI-PMH, STAC APIs, static STAC, directories.

- `sources`: what to harvest (`HarvestSource`) and its options;
- one module per protocol (`csw`, `oaipmh`, `stac`, `directory`), each a fetcher that yields raw
  documents page by page (`fetching`), over a retrying, rate-limited HTTP `transport`;
- `parse` turns documents into catalog records through `terrapole.formats`; `merge` makes one
  record of the copies of a dataset that several poles describe; `writer` writes a page;
- `runner.Harvester` runs harvests (incremental or full, resumable), `worker` runs them on
  schedule; `store.HarvestStore` keeps sources, runs, checkpoints and the documents as harvested
  in the catalog database (`schema`, `database`);
- `api` and `cli` are the HTTP and command-line faces.
"""
