resource "aws_iam_policy" "app_kms" {
  name = "app-kms"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["kms:Decrypt", "kms:GenerateDataKey*"]
        Resource = [aws_kms_key.data.arn]
      }
    ]
  })
}

resource "aws_iam_role_policy_attachment" "app_kms" {
  role       = aws_iam_role.app.name
  policy_arn = aws_iam_policy.app_kms.arn
}

resource "aws_iam_policy" "batch_kms" {
  name = "batch-kms"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["kms:Decrypt"]
        Resource = [aws_kms_key.data.arn]
      }
    ]
  })
}

resource "aws_iam_policy_attachment" "batch_kms" {
  name       = "batch-kms"
  roles      = [aws_iam_role.batch.name]
  policy_arn = aws_iam_policy.batch_kms.arn
}
