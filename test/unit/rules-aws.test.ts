import { describe } from 'vitest';
import { table } from '../helpers/cases.js';
import { rulesOf } from '../helpers/evaluate.js';

describe('aws commands against the built-in rules', () => {
  table((line) => line, [
    ['aws s3 rb s3://b --force', 'aws.s3.rb'],
    ['aws --profile acme-prod s3 rb s3://b', 'aws.s3.rb'],
    ['aws s3 rb s3://b --profile acme-prod --region eu-west-1', 'aws.s3.rb'],
    ['aws --region us-east-1 --output json s3 rb s3://b', 'aws.s3.rb'],
    ['aws s3 rm s3://b/prefix --recursive', 'aws.s3.rm.recursive'],
    ['aws s3 rm --recursive s3://b/prefix', 'aws.s3.rm.recursive'],
    ['aws s3 rm s3://b/key', 'aws.s3.rm'],
    ['aws s3 sync . s3://b --delete', 'aws.s3.sync.delete'],
    ['aws s3 sync --delete . s3://b', 'aws.s3.sync.delete'],
    ['aws ec2 terminate-instances --instance-ids i-1', 'aws.api.delete'],
    ['aws rds delete-db-instance --db-instance-identifier db --skip-final-snapshot', 'aws.api.delete'],
    ['aws dynamodb delete-table --table-name t', 'aws.api.delete'],
    ['aws ecr batch-delete-image --repository-name r --image-ids imageTag=x', 'aws.api.delete'],
    ['aws cognito-idp admin-delete-user --user-pool-id p --username u', 'aws.api.delete'],
    ['aws sqs purge-queue --queue-url u', 'aws.api.delete'],
    ['aws ec2 deregister-image --image-id ami-1', 'aws.api.delete'],
    ['aws iam remove-role-from-instance-profile --role-name r --instance-profile-name p', 'aws.api.delete'],
    ['aws kms schedule-key-deletion --key-id k', 'aws.kms.schedule-key-deletion'],
    ['aws rds modify-db-instance --db-instance-identifier db --backup-retention-period 0', 'aws.rds.backup-retention-zero'],
    ['aws rds modify-db-instance --db-instance-identifier db --backup-retention-period=0', 'aws.rds.backup-retention-zero'],
    ['aws rds modify-db-instance --db-instance-identifier db --no-deletion-protection', 'aws.deletion-protection.off'],
    ['aws dynamodb update-table --table-name t --no-deletion-protection-enabled', 'aws.dynamodb.deletion-protection.off'],
    ['aws organizations close-account --account-id 1', 'aws.organizations.leave'],
    ['aws ec2 release-address --allocation-id a', 'aws.ec2.release-address'],
    // never gated
    ['aws s3 rb help', ''],
    ['aws ec2 terminate-instances help', ''],
    ['aws help', ''],
    ['aws s3 ls --profile acme-prod', ''],
    ['aws s3 cp a s3://b/a', ''],
    ['aws s3 sync . s3://b', ''],
    ['aws rds modify-db-instance --db-instance-identifier db --backup-retention-period 7', ''],
    ['aws ec2 describe-instances', ''],
    ['aws sts get-caller-identity', ''],
    ['aws s3api list-objects --bucket delete-me', ''],
  ], (line) => rulesOf(line));
});
