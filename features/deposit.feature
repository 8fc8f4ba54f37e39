Feature: Paying a cylinder deposit or topping up my wallet
  As a verified customer, I buy a new cylinder (its refundable deposit plus the first gas) and
  pay by mobile money, from my wallet or on delivery, or I put money in my wallet for later.

  Scenario: I see the cylinders on sale with their prices
    Given I am a verified customer "Ama Mensah"
    When I dial the service
    And I choose "Make deposit"
    Then I see "1. Cylinder deposit"
    And I see "2. Top up wallet"
    When I choose "Cylinder deposit"
    Then I see these options in order:
      | 1. 3kg steel GHS 142.00      |
      | 2. 6kg steel GHS 234.00      |
      | 3. 6kg composite GHS 384.00  |
      | 4. 12kg steel GHS 418.00     |
      | 5. 12kg composite GHS 618.00 |

  Scenario Outline: I see the deposit, the gas and the total before I pay
    Given I am a verified customer "Ama Mensah"
    When I dial the service
    And I choose "Make deposit"
    And I choose "Cylinder deposit"
    And I choose "<cylinder>"
    Then I see "Deposit GHS <deposit>"
    And I see "Gas GHS <gas>"
    And I see "Total GHS <total>"
    And I see "1. Confirm"
    When I choose "Confirm"
    Then I see "Pay GHS <total> with:"
    And I see these options in order:
      | 1. MTN MoMo (yours) |
      | 2. Telecel Cash     |
      | 3. AirtelTigo Money |
      | 4. Wallet           |
      | 5. Pay on delivery  |

    Examples:
      | cylinder      | deposit | gas   | total  |
      | 3kg steel     | 100.00  | 42.00 | 142.00 |
      | 6kg steel     | 150.00  | 84.00 | 234.00 |
      | 6kg composite | 300.00  | 84.00 | 384.00 |

  Scenario: I pay by MTN MoMo and am told what prompt to approve
    Given I am a verified customer "Ama Mensah"
    When I dial the service
    And I choose "Make deposit"
    And I choose "Cylinder deposit"
    And I choose "6kg steel"
    And I choose "Confirm"
    And I choose "MTN MoMo"
    Then the session ends with "Approve the GHS 234.00 prompt from Demo Gas"
    And I see my order reference
    And I see "Approve only that one"
    And I see "We never ask for your PIN by call or SMS"
    And 1 payment request was sent

  Scenario: While the payment is pending my order says so
    Given I am a verified customer "Ama Mensah"
    And I have ordered a "6kg steel" cylinder paid by "MTN MoMo"
    When I open my latest order
    Then I see "Awaiting payment"
    And I see "Payment pending"
    And I see "Do not pay again"

  Scenario: The provider confirms my payment
    Given I am a verified customer "Ama Mensah"
    And I have ordered a "6kg steel" cylinder paid by "MTN MoMo"
    When the mobile money provider confirms the payment
    Then I receive an SMS containing "payment of GHS 234.00 received for order"
    When I open my latest order
    Then I see "Paid GHS 234.00"
    And I do not see "Payment pending"
    And I see the delivery expected tomorrow

  Scenario Outline: My mobile money payment fails and I am told why
    Given mobile money payments are set to fail as "<outcome>"
    And I am a verified customer "Ama Mensah"
    And I have ordered a "3kg steel" cylinder paid by "Telecel Cash"
    When the mobile money provider answers
    Then I receive an SMS containing "failed: <reason>"
    And I receive an SMS containing "To try again, dial *384*303#"
    When I open my latest order
    Then I see "Payment failed"
    And I see "Paid GHS 0.00"
    And I do not see "Payment pending"

    Examples:
      | outcome          | reason                                        |
      | declined         | you declined the prompt                       |
      | timed_out        | the prompt was not approved in time           |
      | not_enough_funds | not enough money in your mobile money account |

  Scenario: I pay from my wallet with my PIN
    Given I am a verified customer "Ama Mensah" with PIN "5071"
    And my wallet holds GHS 300
    When I dial the service
    And I choose "Make deposit"
    And I choose "Cylinder deposit"
    And I choose "6kg steel"
    And I choose "Confirm"
    And I choose "Wallet"
    Then I see "Wallet GHS 300.00. Enter your PIN to pay GHS 234.00"
    When I enter "5071"
    Then the session ends with "Paid GHS 234.00 from your wallet"
    And I see my order reference
    And I see "Wallet now GHS 66.00"
    And I receive an SMS containing "GHS 234.00 paid from your wallet"
    When I open my latest order
    Then I see "Paid GHS 234.00"

  Scenario: A wrong PIN does not pay from my wallet
    Given I am a verified customer "Ama Mensah"
    And my wallet holds GHS 300
    When I dial the service
    And I choose "Make deposit"
    And I choose "Cylinder deposit"
    And I choose "6kg steel"
    And I choose "Confirm"
    And I choose "Wallet"
    And I enter "9153"
    Then I see "Wrong PIN. Tries left: 2."
    And I see "Enter your PIN to pay GHS 234.00"
    When I check my balance
    Then the session ends with "Wallet: GHS 300.00"

  Scenario: My wallet is short of funds
    Given I am a verified customer "Ama Mensah"
    And my wallet holds GHS 100
    When I dial the service
    And I choose "Make deposit"
    And I choose "Cylinder deposit"
    And I choose "6kg steel"
    And I choose "Confirm"
    And I choose "Wallet"
    Then I see "Your wallet is short by GHS 134.00."
    And I see "Pay GHS 234.00 with:"
    And the session continues

  Scenario: I choose to pay on delivery
    Given I am a verified customer "Ama Mensah"
    When I dial the service
    And I choose "Make deposit"
    And I choose "Cylinder deposit"
    And I choose "3kg steel"
    And I choose "Confirm"
    And I choose "Pay on delivery"
    Then the session ends with "Pay GHS 142.00 when it is delivered"
    And I see my order reference
    And I receive an SMS containing "placed. Pay GHS 142.00 on delivery"
    And 0 payment requests were sent
    When I open my latest order
    Then I see "Pay on delivery"
    And I see "Paid GHS 0.00"

  Scenario: I top up my wallet and it is credited when the provider confirms
    Given I am a verified customer "Ama Mensah"
    When I dial the service
    And I choose "Make deposit"
    And I choose "Top up wallet"
    Then I see "enter amount in GHS (1 to 5,000)"
    When I enter "50"
    Then I see "Top up GHS 50.00 to your wallet"
    And I see "1. Confirm"
    When I choose "Confirm"
    Then I see these options in order:
      | 1. MTN MoMo (yours) |
      | 2. Telecel Cash     |
      | 3. AirtelTigo Money |
    And I do not see "Wallet"
    When I choose "AirtelTigo Money"
    Then the session ends with "Approve the GHS 50.00 prompt from Demo Gas"
    And I see "Approve only that one"
    When I check my balance
    Then the session ends with "Wallet: GHS 0.00"
    When the mobile money provider confirms the payment
    Then I receive an SMS containing "GHS 50.00 added to your wallet. Balance GHS 50.00."
    When I check my balance
    Then the session ends with "Wallet: GHS 50.00"

  Scenario Outline: The top-up amount must be whole cedis from 1 to 5,000
    Given I am a verified customer "Ama Mensah"
    When I dial the service
    And I choose "Make deposit"
    And I choose "Top up wallet"
    And I enter "<amount>"
    Then I see "<reason>"
    And I see "enter amount in GHS (1 to 5,000)"

    Examples:
      | amount | reason                             |
      | 5001   | Enter between GHS 1 and GHS 5,000. |
      | 20000  | Enter between GHS 1 and GHS 5,000. |
      | 12.50  | Enter whole cedis, e.g. 50.        |
      | fifty  | Enter whole cedis, e.g. 50.        |
      | -5     | Enter whole cedis, e.g. 50.        |

  Scenario Outline: The largest and smallest top-ups are accepted
    Given I am a verified customer "Ama Mensah"
    When I dial the service
    And I choose "Make deposit"
    And I choose "Top up wallet"
    And I enter "<amount>"
    Then I see "Top up GHS <shown> to your wallet"

    Examples:
      | amount | shown    |
      | 1      | 1.00     |
      | 5000   | 5,000.00 |

  Scenario: A failed top-up leaves my wallet as it was
    Given mobile money payments are set to fail as "not_enough_funds"
    And I am a verified customer "Ama Mensah"
    When I dial the service
    And I enter "1", "2", "80", "1"
    And I choose "MTN MoMo"
    And the mobile money provider answers
    Then I receive an SMS containing "wallet top-up of GHS 80.00 failed: not enough money"
    When I check my balance
    Then the session ends with "Wallet: GHS 0.00"

  Scenario: The provider's confirmation comes twice and my wallet is credited once
    Given I am a verified customer "Ama Mensah"
    When I dial the service
    And I enter "1", "2", "200", "1"
    And I choose "MTN MoMo"
    And the provider's callback for my top-up comes twice
    Then I receive 1 SMS containing "GHS 200.00 added to your wallet"
    When I check my balance
    Then the session ends with "Wallet: GHS 200.00"
