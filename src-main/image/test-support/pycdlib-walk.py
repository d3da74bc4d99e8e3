# Independent reader for tests: walks each facet of an image with pycdlib (Debian python3-pycdlib)
# and prints one JSON object: {facet: {path: {type, size, sha256?, target?}}}.
# usage: /usr/bin/python3 pycdlib-walk.py IMAGE FACET[,FACET...] [--no-hash-over BYTES]
import hashlib, json, sys
import pycdlib

image, facets = sys.argv[1], sys.argv[2].split(',')
limit = int(sys.argv[4]) if len(sys.argv) > 4 and sys.argv[3] == '--no-hash-over' else None
iso = pycdlib.PyCdlib()
iso.open(image)
out = {}
for facet in facets:
    key = {'iso9660': 'iso_path', 'joliet': 'joliet_path', 'rockridge': 'rr_path', 'udf': 'udf_path'}[facet]
    res = {}
    for dirname, dirs, files in iso.walk(**{key: '/'}):
        base = '' if dirname == '/' else dirname
        for d in dirs:
            res[base + '/' + d] = {'type': 'dir'}
        for f in files:
            p = base + '/' + f
            rec = iso.get_record(**{key: p})
            entry = {'type': 'file'}
            if facet == 'rockridge' and rec.rock_ridge is not None and rec.rock_ridge.is_symlink():
                entry = {'type': 'symlink', 'target': rec.rock_ridge.symlink_path().decode('utf-8', 'surrogateescape')}
            elif facet == 'udf' and rec.is_symlink():
                entry = {'type': 'symlink'}
            else:
                h = hashlib.sha256()
                size = 0
                if limit is None or iso.get_record(**{key: p}).get_data_length() <= limit:
                    with iso.open_file_from_iso(**{key: p}) as fp:
                        while True:
                            b = fp.read(1 << 20)
                            if not b:
                                break
                            size += len(b)
                            h.update(b)
                    entry['sha256'] = h.hexdigest()
                    entry['size'] = size
                else:
                    with iso.open_file_from_iso(**{key: p}) as fp:
                        fp.seek(0, 2)
                        entry['size'] = fp.tell()
            res[p] = entry
    out[facet] = res
iso.close()
print(json.dumps(out))
