kms_key_id = "alias/my-key"
