kms_key_id = "alias/aws/s3"
