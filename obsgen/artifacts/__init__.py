"""The artifact kinds obsgen builds: one package per kind (its builder, its emitter, its fleet variant and
its checks), the types they share (base.py) and every output path (layout.py). kinds.py lists the kinds."""
