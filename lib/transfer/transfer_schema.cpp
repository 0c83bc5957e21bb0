#include "transfer/transfer_schema.hpp"

namespace ri::transfer {

const SchemaPart& state_schema() {
    static const SchemaPart part{
        "transfer",
        {
            // Transfer resume state (lib/transfer/transfer_state.hpp explains the keys).
            {1, "transfer resume state", R"sql(
CREATE TABLE uploads (
  id INTEGER PRIMARY KEY,
  source TEXT NOT NULL,
  size INTEGER NOT NULL,
  mtime_ns INTEGER NOT NULL,
  dest TEXT NOT NULL,
  upload_id TEXT NOT NULL,
  part_size INTEGER NOT NULL,
  parts INTEGER NOT NULL,
  encrypted INTEGER NOT NULL DEFAULT 0,
  key_b64 TEXT NOT NULL DEFAULT '',
  iv_b64 TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (source, dest)
);
CREATE TABLE upload_parts (
  upload INTEGER NOT NULL REFERENCES uploads(id) ON DELETE CASCADE,
  number INTEGER NOT NULL,
  size INTEGER NOT NULL,
  etag TEXT NOT NULL,
  chain_iv TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (upload, number)
);
CREATE TABLE downloads (
  id INTEGER PRIMARY KEY,
  source TEXT NOT NULL,
  dest TEXT NOT NULL,
  size INTEGER NOT NULL,
  etag TEXT NOT NULL,
  part_size INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  UNIQUE (source, dest)
);
CREATE TABLE download_parts (
  download INTEGER NOT NULL REFERENCES downloads(id) ON DELETE CASCADE,
  number INTEGER NOT NULL,
  PRIMARY KEY (download, number)
);
)sql"},
            // Platform uploads (lib/transfer/platform_upload.hpp): the object key and file key
            // chosen
            // for a (source, library folder, name), and how far it got, so a rerun continues the
            // same
            // multipart upload and never registers a file twice.
            {2, "platform upload state", R"sql(
CREATE TABLE platform_uploads (
  id INTEGER PRIMARY KEY,
  source TEXT NOT NULL,
  target TEXT NOT NULL,
  size INTEGER NOT NULL,
  mtime_ns INTEGER NOT NULL,
  object_key TEXT NOT NULL,
  key_b64 TEXT NOT NULL,
  stage TEXT NOT NULL,
  sha512 TEXT NOT NULL DEFAULT '',
  file_id TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  UNIQUE (source, target)
);
)sql"},
        }};
    return part;
}

StateStore open_state_store(const std::filesystem::path& path) {
    return StateStore::open(path.empty() ? StateStore::default_path() : path,
                            {core_schema(), state_schema()});
}

}  // namespace ri::transfer
