locals {
  assume = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ec2.amazonaws.com" }
    }]
  })
}

resource "aws_iam_role" "app" {
  name               = "app"
  assume_role_policy = local.assume
}

resource "aws_iam_role" "batch" {
  name               = "batch"
  assume_role_policy = local.assume
}
