#!/usr/bin/env python3
"""Self-test of the contract shape checker (ctest: contract.shapes).

1. The checker fails on wrong types, missing fields, relative `next` URLs, bad enums, ... and
   passes on good values.
2. The reference's literal JSON samples (reference_samples/, copied verbatim from
   shared/reference/rescale-platform-api.md) fit the examples: this proves the examples say what
   the reference says. A sample's placeholders ("<44-char base64>", "…" elements) are replaced by
   concrete values of the kind the placeholder names, through the explicit table SUBSTITUTIONS.
3. Every example file is well formed: known types only, every $ref defined.
"""

import json
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import shapes  # noqa: E402

EXAMPLES, DEFS = shapes.load_examples()
SAMPLES = os.path.join(HERE, "reference_samples")

KEY44 = "q2fVx0m9lQ3bO+/1cK8Zt7Wn4yR6uJ5eD0sA2gH8iLk="

# sample file -> (placeholder text -> concrete text): the only edits made to a verbatim sample.
SUBSTITUTIONS = {
    "files_v2_upload_2019.json.txt": {'"<44-char base64>"': json.dumps(KEY44)},
    "users_me_v3.json.txt": {'"S3Storage|AzureStorage"': '"S3Storage"'},
    "pagination.json.txt": {'"results":[…]': '"results":[]'},
    "statuses_results.json.txt": {
        '{"status":"Executing",…,': '{"status":"Executing","statusDate":"2016-04-21T17:20:00.000000Z",',
        '},…]': '}]'},
}


def sample(name, extra=None):
    with open(os.path.join(SAMPLES, name), encoding="utf-8") as f:
        text = f.read()
    for old, new in list(SUBSTITUTIONS.get(name, {}).items()) + list((extra or {}).items()):
        assert old in text, "%s: placeholder %r not found" % (name, old)
        text = text.replace(old, new)
    return json.loads(text)


def fits(value, shape):
    return shapes.check(value, shape, DEFS)


def response_of(example):
    return EXAMPLES[example]["response"]


def results_item(example):
    return response_of(example)["$page"]


class CheckerFails(unittest.TestCase):
    """The checker must catch each kind of deviation, and name the JSON path."""

    def assertFails(self, value, shape, path_part=None):
        errs = fits(value, shape)
        self.assertTrue(errs, "expected a mismatch for %r against %r" % (value, shape))
        if path_part:
            self.assertTrue(any(path_part in e.path for e in errs), "no mismatch at %s: %s" % (path_part, errs))

    def test_wrong_primitive_types(self):
        self.assertFails("5", "integer")
        self.assertFails(5.5, "integer")
        self.assertFails(True, "integer")
        self.assertFails(1, "boolean")
        self.assertFails(None, "string")
        self.assertFails({}, "array")
        self.assertFails([], "object")
        self.assertEqual(fits(5, "number"), [])
        self.assertEqual(fits(None, "string|null"), [])

    def test_missing_and_nested_fields(self):
        good = {"myJobs": "a", "myLibrary": "b"}
        self.assertEqual(fits(good, response_of("users_me_folders")), [])
        self.assertFails({"myJobs": "a"}, response_of("users_me_folders"), "$.myLibrary")
        f = sample("files_v2_upload_2019.json.txt")
        del f["storage"]["encryptionType"]
        self.assertFails(f, response_of("files_v2_upload"), "$.storage.encryptionType")
        f = sample("files_v2_upload_2019.json.txt")
        f["decryptedSize"] = "151"
        self.assertFails(f, response_of("files_v2_upload"), "$.decryptedSize")

    def test_pagination_envelope(self):
        page = {"count": 2, "next": "http://127.0.0.1:8080/api/v3/files/?page=2&page_size=1", "previous": None,
                "results": [{"id": "a", "name": "n", "decryptedSize": 1, "dateUploaded": "2024-01-01T00:00:00Z",
                             "isUploaded": True, "isDeleted": False}]}
        shape = response_of("files_v3_list")
        self.assertEqual(fits(page, shape), [])
        relative = dict(page, next="/api/v3/files/?page=2&page_size=1")
        self.assertFails(relative, shape, "$.next")
        self.assertFails(dict(page, previous="?page=1"), shape, "$.previous")
        self.assertFails(dict(page, count="2"), shape, "$.count")
        no_prev = dict(page)
        del no_prev["previous"]
        self.assertFails(no_prev, shape, "$.previous")
        self.assertFails(dict(page, prev=None, previous=None, results=[{"id": "a"}]), shape, "$.results[0].name")
        self.assertFails(page["results"], shape)  # a bare array is not a page

    def test_bare_array_is_not_a_page(self):
        tags = [{"name": "x", "normalizedName": "x"}]
        self.assertEqual(fits(tags, response_of("files_v3_tags")), [])
        self.assertFails({"count": 1, "next": None, "previous": None, "results": tags}, response_of("files_v3_tags"))

    def test_enum_const_pattern_absent(self):
        self.assertFails({"status": "Done", "statusDate": "2016-04-21T17:24:34Z", "statusReason": None},
                         DEFS["StatusV2"], "$.status")
        self.assertFails({"status": "Completed", "statusDate": "yesterday", "statusReason": None},
                         DEFS["StatusV2"], "$.statusDate")
        f = sample("files_v2_upload_2019.json.txt")
        f["md5"] = "XYZ"
        self.assertFails(f, response_of("files_v2_upload"), "$.md5")
        f = sample("files_v2_upload_2019.json.txt")
        f["encodedEncryptionKey"] = "c2hvcnQ="
        self.assertFails(f, response_of("files_v2_upload"), "$.encodedEncryptionKey")
        f = sample("files_v2_upload_2019.json.txt")
        f["downloadUrl"] = "/api/v2/files/PCJNzf/contents/"
        self.assertFails(f, response_of("files_v2_upload"), "$.downloadUrl")
        job = {"id": "x", "name": "n", "dateInserted": "2024-01-01T00:00:00Z", "jobanalyses": [], "isLowPriority": False,
               "owner": "o"}
        self.assertEqual(fits(job, response_of("jobs_get_v3")), [])
        self.assertFails(dict(job, jobStatus={"content": "Completed"}), response_of("jobs_get_v3"), "$.jobStatus")
        out = {"typeId": 4}
        self.assertFails(out, DEFS["JobOutputFile"], "$.typeId")

    def test_one_of_and_maps(self):
        shape = response_of("users_me_v3")
        me = sample("users_me_v3.json.txt")
        me["defaultStorage"]["storageType"] = "GcsStorage"
        self.assertFails(me, shape, "$.defaultStorage")
        cf = {"Context": {"meta": {"name": "Context"}, "value": "x"}}
        self.assertEqual(fits(cf, response_of("jobs_custom_fields")), [])
        self.assertFails({"Context": {"value": "x"}}, response_of("jobs_custom_fields"), "$.Context.meta")
        self.assertFails([], response_of("jobs_custom_fields"))

    def test_status_spec(self):
        self.assertTrue(shapes.status_ok(201, [201, 200]))
        self.assertFalse(shapes.status_ok(202, [201, 200]))
        self.assertTrue(shapes.status_ok(404, ["4xx"]))
        self.assertFalse(shapes.status_ok(500, ["4xx"]))


class ReferenceSamplesFit(unittest.TestCase):
    """The reference's own JSON fits the examples written from it."""

    def assertFits(self, value, shape):
        errs = fits(value, shape)
        self.assertEqual(errs, [], "\n".join(str(e) for e in errs))

    def test_users_me(self):
        self.assertFits(sample("users_me_v3.json.txt"), response_of("users_me_v3"))
        azure = sample("users_me_v3.json.txt", {'"storageType":"S3Storage"': '"storageType":"AzureStorage"'})
        self.assertFits(azure, response_of("users_me_v3"))

    def test_users_me_folders(self):
        self.assertFits(sample("users_me_folders.json.txt"), response_of("users_me_folders"))

    def test_credentials(self):
        self.assertFits(sample("credentials_s3.json.txt"), response_of("credentials_s3"))
        self.assertFits(sample("credentials_s3.json.txt"), response_of("credentials_s3_file"))
        self.assertFits(sample("credentials_azure.json.txt"), response_of("credentials_azure"))
        self.assertTrue(fits(sample("credentials_azure.json.txt"), response_of("credentials_s3")))
        self.assertTrue(fits(sample("credentials_s3.json.txt"), response_of("credentials_azure")))

    def test_v2_upload_response_2019(self):
        f = sample("files_v2_upload_2019.json.txt")
        for ex in ("files_v2_upload", "files_v2_get"):
            self.assertFits(f, response_of(ex))
        self.assertFits(f, results_item("files_v2_list"))

    def test_tags_folders(self):
        self.assertFits(sample("tags.json.txt"), response_of("files_v3_tags"))
        self.assertFits(sample("tags.json.txt"), response_of("jobs_tags"))
        self.assertFits(sample("folders_create_response.json.txt"), response_of("folders_create"))

    def test_statuses(self):
        self.assertFits(sample("statuses_results.json.txt"), [results_item("jobs_statuses_v2")])

    def test_job_list_status(self):
        self.assertFits(sample("job_list_item_jobstatus.json.txt"), DEFS["JobListItemV2"]["jobStatus"])

    def test_coretype_v2_item(self):
        self.assertFits(sample("coretype_v2_item.json.txt"), results_item("coretypes_v2"))

    def test_pagination_sample(self):
        self.assertFits(sample("pagination.json.txt"), {"$page": "any"})

    def test_error_429_body(self):
        self.assertFits(sample("error_429_inferred.json.txt"), response_of("error_429"))

    def test_job_create_bodies_are_the_reference_body(self):
        ref = sample("jobs_create_request.json.txt")
        for ex, core in (("jobs_create_v3", {"code": "{coreTypeCode}"}), ("jobs_create_v2", "{coreTypeCode}")):
            body = EXAMPLES[ex]["request"]
            self.assertLessEqual(set(body), set(ref), ex)
            self.assertEqual(set(ref) - set(body), {"projectId", "clusterId", "jobAutomations"}, ex)
            for k in ("name", "isLowPriority", "tags"):
                self.assertEqual(body[k], ref[k], ex)
            a, r = body["jobanalyses"][0], ref["jobanalyses"][0]
            self.assertEqual(set(a), set(r), ex)
            self.assertEqual(a["hardware"]["coreType"], core)
            for k in ("command", "envVars", "useRescaleLicense", "onDemandLicenseSeller", "userDefinedLicenseSettings"):
                self.assertEqual(a[k], r[k], ex)
            self.assertEqual({k: v for k, v in a["hardware"].items() if k != "coreType"},
                             {k: v for k, v in r["hardware"].items() if k != "coreType"})

    def test_register_request_is_the_reference_body(self):
        ref = sample("files_v3_register_request.json.txt")
        body = EXAMPLES["files_v3_register"]["request"]
        self.assertEqual(set(body), set(ref))
        self.assertNotIn("iv", body)


class ExamplesWellFormed(unittest.TestCase):
    def walk(self, shape, where):
        if isinstance(shape, str):
            for n in shape.split("|"):
                self.assertIn(n, shapes.PRIMITIVES, where)
        elif isinstance(shape, list):
            self.assertEqual(len(shape), 1, where)
            self.walk(shape[0], where)
        elif isinstance(shape, dict):
            if "$ref" in shape:
                self.assertIn(shape["$ref"], DEFS, where)
            for k, v in shape.items():
                if k in ("$array", "$page", "$map") or not k.startswith("$"):
                    self.walk(v, where + "." + k)
                elif k == "$oneOf":
                    for alt in v:
                        self.walk(alt, where)

    def test_every_example(self):
        self.assertGreaterEqual(len(EXAMPLES), 50)
        for name, ex in EXAMPLES.items():
            self.walk(ex["response"], name)
            self.assertIn(ex["method"], ("GET", "POST", "PUT", "PATCH", "DELETE"), name)
            self.assertTrue(ex["path"].startswith("/api/v"), name)
            self.assertTrue(ex["source"].startswith("shared/reference/rescale-platform-api.md"), name)
        for name, shape in DEFS.items():
            self.walk(shape, "_defs." + name)


if __name__ == "__main__":
    unittest.main(verbosity=1)
