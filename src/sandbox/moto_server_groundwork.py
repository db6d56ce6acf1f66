"""Starts moto's server with fixes for moto bugs that stop Groundwork's real templates from deploying.

Each fix corrects how moto reads a CloudFormation property it otherwise crashes on; none of them adds behaviour
that AWS does not have. Every fix checks that the function it wraps still exists, so a moto upgrade that changes it
fails loudly here instead of silently. The list is in docs/architecture.md ("What the emulator cannot do").
"""

import os
import re
import sys

from moto.cloudformation import models as cfn_models
from moto.cloudformation import parsing as cfn_parsing
from moto.iam import models as iam_models
from moto.kms import models as kms_models
from moto.logs import models as logs_models
from moto.server import main


def _kms_key_tags_from_cloudformation() -> None:
    """AWS::KMS::Key Tags are {Key, Value} in CloudFormation; moto 5.2 hands them to KMS, which wants {TagKey, TagValue}."""
    original = kms_models.Key.create_from_cloudformation_json.__func__

    def create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        properties = cloudformation_json.get("Properties", {})
        tags = properties.get("Tags")
        if tags:
            properties = {**properties, "Tags": [{"TagKey": t["Key"], "TagValue": t["Value"]} for t in tags]}
            cloudformation_json = {**cloudformation_json, "Properties": properties}
        return original(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)

    kms_models.Key.create_from_cloudformation_json = classmethod(create)


def _iam_role_tags_without_value() -> None:
    """A tag whose value refers to a resource moto does not create (the GitHub OIDC provider) reaches moto with no Value,
    and moto 5.2 crashes creating the role; such tags are left off (the value they would hold does not exist here)."""
    original = iam_models.Role.create_from_cloudformation_json.__func__

    def create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        properties = cloudformation_json.get("Properties", {})
        tags = properties.get("Tags")
        if tags and any("Value" not in t for t in tags):
            properties = {**properties, "Tags": [t for t in tags if "Value" in t]}
            cloudformation_json = {**cloudformation_json, "Properties": properties}
        return original(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)

    iam_models.Role.create_from_cloudformation_json = classmethod(create)


def _without_unsupported_outputs(template):
    """The template without the Outputs that read an attribute (Fn::GetAtt) of a resource type moto has no model for."""
    outputs = template.get("Outputs") or {}
    resources = template.get("Resources") or {}

    def unsupported(value):
        source = value.get("Value") if isinstance(value, dict) else None
        if not (isinstance(source, dict) and "Fn::GetAtt" in source):
            return False
        logical_id = source["Fn::GetAtt"][0] if isinstance(source["Fn::GetAtt"], list) else str(source["Fn::GetAtt"]).split(".")[0]
        resource_type = (resources.get(logical_id) or {}).get("Type", "")
        return cfn_parsing.get_model_map().get(resource_type) is None

    if not any(unsupported(v) for v in outputs.values()):
        return template
    return {**template, "Outputs": {k: v for k, v in outputs.items() if not unsupported(v)}}


def _outputs_of_unsupported_resources() -> None:
    """moto 5.2 skips resource types it has no model for (with a warning), but an Output with Fn::GetAtt on one of them
    crashes CreateStack and DescribeStacks with an HTML 500. Such outputs are left out instead: they have no value in
    the emulator, as the resource does not exist there."""
    original_validate = cfn_parsing.ResourceMap.validate_outputs

    def validate_outputs(self):
        template = self._template
        self._template = _without_unsupported_outputs(template)
        try:
            return original_validate(self)
        finally:
            self._template = template

    original_init = cfn_parsing.OutputMap.__init__

    def output_map_init(self, resources, template, stack_id):
        original_init(self, resources, _without_unsupported_outputs(template), stack_id)

    cfn_parsing.ResourceMap.validate_outputs = validate_outputs
    cfn_parsing.OutputMap.__init__ = output_map_init


def _sandbox_log_groups_adopted() -> None:
    """Not a moto bug: the sandbox's stand-in for CloudTrail delivery writes Groundwork's own calls into the trail's log
    group before the trail stack exists, so the stack would fail on a log group that already exists. The groups named
    in GROUNDWORK_SANDBOX_LOG_GROUPS are adopted by CloudFormation here (their events kept); any other log group that
    already exists fails as on AWS."""
    original = logs_models.LogGroup.create_from_cloudformation_json.__func__

    def create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        # Read when used, not when imported: a fork server's children get their environment after the import.
        adopted = {g for g in os.environ.get("GROUNDWORK_SANDBOX_LOG_GROUPS", "").split(",") if g}
        name = cloudformation_json.get("Properties", {}).get("LogGroupName", resource_name)
        existing = logs_models.logs_backends[account_id][region_name].groups.get(name)
        if name in adopted and existing is not None:
            return existing
        return original(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)

    logs_models.LogGroup.create_from_cloudformation_json = classmethod(create)


def _change_set_outputs_and_exports() -> None:
    """moto 5.2 executes a change set's resources but keeps the stack's outputs from before (none, for a new stack)
    and never registers its exports, and a stack it creates cannot import any (it starts without the region's exports),
    so the CDK's cross-stack references fail with "No export named". The change set now resolves imports against the
    region's exports, and afterwards its outputs are read from its template and its exports registered, as CreateStack
    does."""
    original = cfn_models.CloudFormationBackend.execute_change_set

    def execute_change_set(self, change_set_name, stack_name=None):
        named = [
            c
            for c in self.change_sets.values()
            if c.change_set_name == change_set_name
            and (stack_name is None or c.stack_id == stack_name or self.stacks[c.stack_id].name == stack_name)
        ]
        change_set = self.change_sets.get(change_set_name) or (named[-1] if named else None)
        if change_set is not None:
            # A stack made by CreateChangeSet starts without the region's exports: Fn::ImportValue would find none.
            self.stacks[change_set.stack_id].resource_map.cross_stack_resources = self.exports
        result = original(self, change_set_name, stack_name)
        if change_set is not None:
            stack = self.stacks[change_set.stack_id]
            stack.output_map = cfn_parsing.OutputMap(stack.resource_map, change_set.template_dict, stack.stack_id)
            for export in stack.exports:
                self.exports[export.name] = export
        return result

    cfn_models.CloudFormationBackend.execute_change_set = execute_change_set


def _stack_instances_account_filter() -> None:
    """moto 5.2 ignores DeploymentTargets.AccountFilterType and gives every account of a target OU an instance, so a
    baseline meant for one account of an OU (INTERSECTION with Accounts) lands in all of them. The filter is applied
    as AWS documents it: INTERSECTION, DIFFERENCE or UNION of the OUs' accounts with Accounts."""
    original = cfn_models.StackInstances.create_instances

    def create_instances(self, accounts, regions, parameters, deployment_targets, permission_model):
        kind = (deployment_targets or {}).get("AccountFilterType", "NONE")
        listed = list((deployment_targets or {}).get("Accounts") or [])
        if kind not in ("INTERSECTION", "DIFFERENCE", "UNION"):
            return original(self, accounts, regions, parameters, deployment_targets, permission_model)
        ous = list(deployment_targets.get("OrganizationalUnitIds") or [])
        ous += [ou.id for ou in self.org_backend.ou if ou.parent_id in ous]
        in_ous = [a.id for a in self.org_backend.accounts if a.parent_id in ous]
        if kind == "INTERSECTION":
            chosen = [a for a in in_ous if a in listed]
        elif kind == "DIFFERENCE":
            chosen = [a for a in in_ous if a not in listed]
        else:
            chosen = in_ous + [a for a in listed if a not in in_ous]
        return original(self, list(accounts) + chosen, regions, parameters, {}, permission_model)

    cfn_models.StackInstances.create_instances = create_instances


def _dynamodb_conditional_writes_atomic() -> None:
    """moto's server answers requests on threads and its DynamoDB checks a ConditionExpression and then writes without a
    lock, so two parallel conditional updates can both pass a check that DynamoDB passes for one only (40 parallel
    `wrongAnswers < 5` claims let a 6th through). DynamoDB applies each conditional write atomically: every item write is
    serialized here, as one lock around the check and the write."""
    import functools
    import threading

    from moto.dynamodb import models as ddb_models

    lock = threading.RLock()  # transact_write_items calls the others
    backend = ddb_models.DynamoDBBackend
    for name in ("put_item", "update_item", "delete_item", "transact_write_items"):
        original = getattr(backend, name)

        def locked(self, *args, _original=original, **kwargs):
            with lock:
                return _original(self, *args, **kwargs)

        setattr(backend, name, functools.wraps(original)(locked))


_kms_key_tags_from_cloudformation()
_iam_role_tags_without_value()
_stack_instances_account_filter()
_change_set_outputs_and_exports()
_sandbox_log_groups_adopted()
_outputs_of_unsupported_resources()
_dynamodb_conditional_writes_atomic()

# The services Groundwork calls: a fork server imports each one's app before it forks, so no emulator it starts pays
# for the imports (moto imports a service's modules on its first request).
_PREWARMED_SERVICES = (
    "account", "athena", "awslambda", "budgets", "ce", "cloudformation", "cloudtrail", "codedeploy", "cognitoidp",
    "dynamodb", "ec2", "ecr", "ecs", "elbv2", "events", "iam", "identitystore", "kms", "logs", "organizations", "s3",
    "s3control", "scheduler", "secretsmanager", "servicequotas", "sesv2", "sns", "sqs", "ssm", "ssoadmin", "sts",
)


def _fork_server(socket_path: str) -> None:
    """Serves emulators by fork: a request `{"host", "port", "log", "env"}` on the Unix socket gets a fresh moto server,
    a child process with no state of its own yet, answered with its pid. The tests start their many emulators this way;
    moto is imported once instead of once per emulator. The server exits when its parent does."""
    import json
    import signal
    import socket

    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
    from werkzeug.serving import run_simple

    app = DomainDispatcherApplication(create_backend_app)
    app.debug = True
    for service in _PREWARMED_SERVICES:
        try:
            app.app_instances[service] = create_backend_app(service)
        except Exception as error:  # a service this moto lacks stays lazy, as in a plain server
            print(f"fork server: {service} not prewarmed: {error}", file=sys.stderr)
    # Making an app creates the default account's backends to read their URLs; they are dropped again, so that each
    # child creates its own on first use, with the environment it was started with (MOTO_IAM_LOAD_MANAGED_POLICIES).
    from moto.backends import get_backend

    for service in _PREWARMED_SERVICES:
        try:
            get_backend(service).clear()
        except Exception:
            pass

    parent = os.getppid()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    if os.path.exists(socket_path):
        os.unlink(socket_path)
    listener.bind(socket_path)
    listener.listen(16)
    listener.settimeout(1.0)
    print(f"fork server: ready on {socket_path}", flush=True)
    while os.getppid() == parent:
        try:
            conn, _ = listener.accept()
        except socket.timeout:
            continue
        with conn:
            with conn.makefile("r") as reader:
                request = json.loads(reader.readline())
            pid = os.fork()
            if pid == 0:
                # The child keeps no socket of the server's: the requester reads its answer to the end of the stream.
                conn.close()
                listener.close()
                os.setsid()
                log = os.open(request["log"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
                os.dup2(log, 1)
                os.dup2(log, 2)
                os.close(log)
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
                signal.signal(signal.SIGINT, lambda *_: sys.exit(0))
                os.environ.update(request.get("env") or {})
                os.environ["MOTO_PORT"] = str(request["port"])
                try:
                    run_simple(request["host"], int(request["port"]), app, threaded=True, request_handler=MotoRequestHandler)
                finally:
                    os._exit(0)
            conn.sendall((json.dumps({"pid": pid}) + "\n").encode())
    listener.close()
    os.unlink(socket_path)


if __name__ == "__main__" and sys.argv[1:2] == ["--fork-server"]:
    _fork_server(sys.argv[2])
elif __name__ == "__main__" and sys.argv[1:] == ["--cloudformation-types"]:
    # The resource types this moto creates through CloudFormation: Groundwork names every other one "not emulated".
    import json

    print(json.dumps(sorted(t for t in cfn_parsing.get_model_map() if t)))
elif __name__ == "__main__":
    sys.argv[0] = re.sub(r"(-script\.pyw|\.exe)?$", "", sys.argv[0])
    sys.exit(main())
