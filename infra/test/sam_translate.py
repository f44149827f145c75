#!/usr/bin/env python3
"""Runs AWS SAM's own translator (aws-sam-translator, the code CloudFormation's AWS::Serverless
transform runs) over template.yaml as `sam deploy` would hand it over, and checks what the HTTP API
becomes: openapi.yaml as the API's body, nothing SAM adds beside it, and the API's invoke permissions.

CloudFormation includes openapi.yaml (AWS::Include) either before or after SAM runs; both orders are
translated. Usage: sam_translate.py REPO_DIR. Exits 0 and prints one line when all holds."""
import copy
import os
import sys

from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse


class NoManagedPolicies:
    """The template names no managed policy, so SAM needs no IAM lookup."""

    def load(self):
        return {}


def fail(message):
    print("sam_translate: " + message, file=sys.stderr)
    sys.exit(1)


def translate(template):
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    parameters = {"JwtIssuer": "https://issuer.example", "JwtAudience": "client-1"}
    return transform(copy.deepcopy(template), parameters, NoManagedPolicies())


def main(repo):
    with open(os.path.join(repo, "template.yaml")) as f:
        template = yaml_parse(f.read())
    with open(os.path.join(repo, "openapi.yaml")) as f:
        document = yaml_parse(f.read())
    # What `sam deploy` uploads: the function package and the included document become S3 addresses.
    template["Globals"]["Function"]["CodeUri"] = "s3://deploy-bucket/function.zip"
    body = template["Resources"]["HttpApi"]["Properties"]["DefinitionBody"]
    include = body.get("Fn::Transform", {})
    if include.get("Name") != "AWS::Include" or include.get("Parameters", {}).get("Location") != "openapi.yaml":
        fail("HttpApi's DefinitionBody does not include openapi.yaml: %r" % body)
    include["Parameters"]["Location"] = "s3://deploy-bucket/openapi.yaml"
    included_first = copy.deepcopy(template)
    included_first["Resources"]["HttpApi"]["Properties"]["DefinitionBody"] = copy.deepcopy(document)

    for order, source, expected_body in (("include after SAM", template, body),
                                         ("include before SAM", included_first, document)):
        resources = translate(source)["Resources"]
        api = resources.get("HttpApi", {})
        if api.get("Type") != "AWS::ApiGatewayV2::Api":
            fail("%s: HttpApi became %r" % (order, api.get("Type")))
        got = copy.deepcopy(api["Properties"].get("Body"))
        if isinstance(got, dict) and "tags" in got:
            # SAM tags the API it made ("httpapi:createdBy: SAM"); nothing else may change.
            got["tags"] = [t for t in got["tags"] if t.get("name") != "httpapi:createdBy"]
        if got != expected_body:
            fail("%s: the API's Body is not openapi.yaml as written" % order)
        # (the follow API, a WebSocket API of its own, has its routes and integration as resources)
        apart = sorted(k for k, r in resources.items()
                       if r["Type"] in ("AWS::ApiGatewayV2::Route", "AWS::ApiGatewayV2::Integration",
                                        "AWS::ApiGatewayV2::Authorizer")
                       and r.get("Properties", {}).get("ApiId") != {"Ref": "FollowApi"})
        if apart:
            fail("%s: SAM made routes, integrations or authorizers beside the document: %s" % (order, apart))
        stages = [r for r in resources.values() if r["Type"] == "AWS::ApiGatewayV2::Stage"
                  and r["Properties"].get("ApiId") != {"Ref": "FollowApi"}]
        if len(stages) != 1 or not {"AccessLogSettings", "DefaultRouteSettings"} <= set(stages[0]["Properties"]):
            fail("%s: the stage lost its access logs or throttling: %r" % (order, stages))
        invokers = sorted(r["Properties"]["FunctionName"]["Ref"] for r in resources.values()
                          if r["Type"] == "AWS::Lambda::Permission"
                          and r["Properties"].get("Principal") == "apigateway.amazonaws.com")
        # the HTTP API's three functions, and the follow API's one (its WebSocket routes)
        want = ["AppendFunctionAliaslive", "FollowFunctionAliaslive", "QueryFunctionAliaslive", "TailFunctionAliaslive"]
        if invokers != want:
            fail("%s: API Gateway may invoke %s, not %s" % (order, invokers, want))
        for alias in want:
            if resources.get(alias, {}).get("Type") != "AWS::Lambda::Alias":
                fail("%s: SAM made no alias %s for the document's integrations" % (order, alias))
    print("SAM translates template.yaml with openapi.yaml as the HTTP API's body, in both include orders")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
