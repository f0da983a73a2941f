resource "aws_iam_role_policy" "app_s3" {
  name = "app-s3"
  role = aws_iam_role.app.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:PutObject"]
        Resource = ["${aws_s3_bucket.data.arn}/*"]
      }
    ]
  })
}

resource "aws_iam_role_policy" "batch_s3" {
  name = "batch-s3"
  role = aws_iam_role.batch.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["s3:PutObject"]
        Resource = ["${aws_s3_bucket.data.arn}/*"]
      }
    ]
  })
}
