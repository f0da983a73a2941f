resource "aws_s3_bucket" "logs" {
  bucket = "kmsguard-logs"
}

resource "aws_elb" "web" {
  name               = "kmsguard-web"
  availability_zones = ["us-east-1a"]
  listener {
    instance_port     = 80
    instance_protocol = "http"
    lb_port           = 80
    lb_protocol       = "http"
  }
  access_logs {
    bucket = aws_s3_bucket.logs.id
    enabled = true
  }
}
