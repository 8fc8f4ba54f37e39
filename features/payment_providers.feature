Feature: Paying by mobile money through the provider the company chose
  As a verified customer, I pay a cylinder deposit or top up my wallet by mobile money, and
  the provider the company has set up (MTN MoMo, Hubtel or Paystack) prompts me. My order is
  paid, or my wallet credited, only once the provider itself confirms it, and only once.
  Each provider here is a local fake server that follows the provider's documented contract;
  its callbacks reach the line at /payments/<provider>/callback as the provider sends them.

  Scenario Outline: A cylinder deposit and a top-up paid through <provider>
    Given the line takes mobile money through "<provider>"
    And I am a verified customer "Ama Mensah"
    When I pay a "6kg steel" cylinder deposit with "<network>"
    Then the session ends with "Approve the GHS 234.00 prompt from Demo Gas"
    And <provider> was asked for GHS 234.00 from my number
    When I open my latest order
    Then I see "Payment pending"
    When the provider approves the payment
    And the provider's callback for it comes twice
    Then I receive 1 SMS containing "payment of GHS 234.00 received for order"
    When I open my latest order
    Then I see "Paid GHS 234.00"
    And I do not see "Payment pending"
    When I top up my wallet with GHS 50 with "<network>"
    Then <provider> was asked for GHS 50.00 from my number
    When the provider approves the payment
    And the provider's callback for it comes twice
    Then I receive 1 SMS containing "GHS 50.00 added to your wallet. Balance GHS 50.00."
    When I check my balance
    Then the session ends with "Wallet: GHS 50.00"
    And every callback was recorded with its outcome
    And the reconciliation finds nothing amiss

    Examples:
      | provider | network          |
      | mtn_momo | MTN MoMo         |
      | hubtel   | Telecel Cash     |
      | paystack | AirtelTigo Money |

  # Paystack sends no webhook for a failed charge, and Hubtel's status check knows only Paid,
  # Unpaid and Refunded (a declined prompt stays Unpaid, taken as expired after 15 minutes):
  # for those two the sweep finds the failure.
  Scenario Outline: My payment is declined at <provider>, and I am told why
    Given the line takes mobile money through "<provider>"
    And I am a verified customer "Ama Mensah"
    When I pay a "3kg steel" cylinder deposit with "<network>"
    And I decline the prompt
    And the provider tells the line as it does for a failure
    And 15 minutes pass and the pending payments are checked
    Then I receive 1 SMS containing "failed: <reason>"
    And I receive an SMS containing "To try again, dial *384*303#"
    When I open my latest order
    Then I see "Payment failed"
    And I see "Paid GHS 0.00"
    And I do not see "Payment pending"
    And the reconciliation finds nothing amiss

    Examples:
      | provider | network          | reason                              |
      | mtn_momo | MTN MoMo         | you declined the prompt             |
      | hubtel   | Telecel Cash     | the prompt was not approved in time |
      | paystack | AirtelTigo Money | you declined the prompt             |

  Scenario: A Paystack webhook with a wrong signature is refused and changes nothing
    Given the line takes mobile money through "paystack"
    And I am a verified customer "Ama Mensah"
    When I top up my wallet with GHS 50 with "MTN MoMo"
    And the provider approves the payment
    And a Paystack webhook for my payment comes signed with another key
    Then the line answers 401
    And my payment is still pending and nothing was delivered
    And the refused callback was recorded as "rejected"
    When the provider's callback for it comes twice
    Then I receive 1 SMS containing "GHS 50.00 added to your wallet"

  Scenario Outline: A forged success callback to <provider> delivers nothing
    Given the line takes mobile money through "<provider>"
    And I am a verified customer "Ama Mensah"
    When I pay a "6kg steel" cylinder deposit with "<network>"
    And the provider <says>
    And a forged success callback for my payment comes
    Then the line answers 200 with "<answer>"
    And no receipt was sent and my order is not paid
    And the reconciliation finds nothing amiss

    Examples:
      | provider | network      | says                                  | answer        |
      | mtn_momo | MTN MoMo     | still says the payment is pending     | still_pending |
      | mtn_momo | MTN MoMo     | says the payment failed               | failed        |
      | hubtel   | Telecel Cash | still says the payment is pending     | still_pending |
      | hubtel   | Telecel Cash | says the payment was refunded         | failed        |

  Scenario Outline: The callback from <provider> never comes: the sweep settles the payment
    Given the line takes mobile money through "<provider>"
    And I am a verified customer "Ama Mensah"
    When I top up my wallet with GHS 80 with "<network>"
    And the provider approves the payment
    But no callback comes
    And 4 minutes pass and the pending payments are checked
    Then <provider> was not asked for the status of my payment
    When 1 minute passes and the pending payments are checked
    Then <provider> was asked for the status of my payment
    And I receive 1 SMS containing "GHS 80.00 added to your wallet. Balance GHS 80.00."
    When I check my balance
    Then the session ends with "Wallet: GHS 80.00"

    Examples:
      | provider | network          |
      | mtn_momo | MTN MoMo         |
      | hubtel   | Telecel Cash     |
      | paystack | AirtelTigo Money |

  Scenario Outline: A callback to <provider> for a reference that is not ours
    Given the line takes mobile money through "<provider>"
    When a success callback comes for a payment reference that is not ours
    Then the line answers 200 with "unknown"
    And the callback was recorded as "unknown" with that reference

    Examples:
      | provider |
      | mtn_momo |
      | hubtel   |
      | paystack |

  Scenario: Per network: MTN MoMo takes the MTN payments, Hubtel the others
    Given the line takes mobile money through "hubtel", and MTN MoMo through "mtn_momo"
    And I am a verified customer "Ama Mensah"
    When I pay a "3kg steel" cylinder deposit with "MTN MoMo"
    Then mtn_momo was asked for GHS 142.00 from my number
    And hubtel was not asked for my latest payment
    When I pay a "6kg steel" cylinder deposit with "Telecel Cash"
    Then hubtel was asked for GHS 234.00 from my number
    And mtn_momo was not asked for my latest payment
    When each provider approves my payment and calls back
    Then my orders are all paid
    And the reconciliation finds nothing amiss
