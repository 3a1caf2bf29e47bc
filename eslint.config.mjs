// @ts-check
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: ["node_modules/", "cdktf.out/", ".gen/", "dist/", "coverage/", "**/*.js", "**/*.mjs"],
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      // The package root loads every resource of the provider: seconds and a gigabyte per synth.
      "no-restricted-imports": [
        "error",
        {
          paths: [
            {
              name: "@cdktf/provider-aws",
              message:
                "Import from '@cdktf/provider-aws/lib/<resource>' instead of the package root.",
            },
          ],
        },
      ],
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
    },
  },
  {
    // Tests walk parsed Terraform JSON and CloudTrail records, which are untyped by nature.
    files: ["__tests__/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
);
