#!/bin/sh
# Run once by the minio-setup service: the bucket, and a MinIO user for the workers that may only
# list, read and write objects of that bucket (the workers never get the root credentials).
set -eu
mc alias set local http://minio:9000 "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD"
mc mb --ignore-existing "local/$LOUPE_BUCKET"
policy=/tmp/loupe-worker-policy.json
cat >"$policy" <<JSON
{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": ["s3:GetBucketLocation", "s3:ListBucket",
      "s3:ListBucketMultipartUploads"], "Resource": ["arn:aws:s3:::$LOUPE_BUCKET"]},
    {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject",
      "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
      "Resource": ["arn:aws:s3:::$LOUPE_BUCKET/*"]}
  ]
}
JSON
mc admin policy create local loupe-worker "$policy"
mc admin user add local "$LOUPE_S3_ACCESS_KEY" "$LOUPE_S3_SECRET_KEY"
mc admin policy attach local loupe-worker --user "$LOUPE_S3_ACCESS_KEY" || true
echo "bucket $LOUPE_BUCKET and worker user $LOUPE_S3_ACCESS_KEY are ready"
