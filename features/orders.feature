Feature: Following and cancelling my orders
  As a verified customer, I see my recent orders, the state of each one and when it will
  come, and I can cancel an order before it leaves the depot.

  Background:
    Given I am a verified customer "Ama Mensah"

  Scenario: I have no orders yet
    When I dial the service
    And I choose "Order status"
    Then I see "You have no orders yet."
    And I see "1. Make deposit"
    When I choose "Make deposit"
    Then I see "1. Cylinder deposit"

  Scenario: My orders are listed newest first
    Given I have ordered a "3kg steel" cylinder paid on delivery
    And I have ordered a "6kg steel" cylinder paid by "MTN MoMo"
    When I dial the service
    And I choose "Order status"
    Then I see my orders, newest first:
      | cylinder  | status           |
      | 6kg steel | Awaiting payment |
      | 3kg steel | Pay on delivery  |

  Scenario: A long list of orders pages with 98
    Given I have ordered 5 cylinders paid on delivery
    When I dial the service
    And I choose "Order status"
    Then I see "98. More"
    When I enter "98"
    Then I see "5. NG-"
    And I see "0. Back"

  Scenario: I see the detail of an order
    Given I have ordered a "3kg steel" cylinder paid on delivery
    When I dial the service
    And I choose "Order status"
    And I enter "1"
    Then I see my order reference
    And I see "3kg steel"
    And I see "Pay on delivery" with today's date
    And I see "Paid GHS 0.00"
    And I see the delivery expected tomorrow
    And I see "1. Cancel order"

  Scenario: I cancel an order I paid for and get my money back in my wallet
    Given my wallet holds GHS 300
    And I have ordered a "6kg steel" cylinder paid by "Wallet"
    When I open my latest order
    And I choose "Cancel order"
    Then I see "Enter your PIN to cancel NG-"
    When I enter "4826"
    Then the session ends with "cancelled. GHS 234.00 refunded to your wallet."
    And I receive an SMS containing "was cancelled and GHS 234.00 refunded to your wallet"
    When I open my latest order
    Then I see "Cancelled"
    And I do not see "Cancel order"
    When I check my balance
    Then the session ends with "Wallet: GHS 300.00"

  Scenario: I cancel an order I had not paid for yet
    Given I have ordered a "3kg steel" cylinder paid on delivery
    When I open my latest order
    And I choose "Cancel order"
    And I enter "4826"
    Then the session ends with "cancelled."
    And I do not see "refunded"
    And I receive an SMS containing "was cancelled"

  Scenario: Cancelling before the payment prompt goes out withdraws the prompt
    Given I have ordered a "3kg steel" cylinder paid by "MTN MoMo"
    When I open my latest order
    And I choose "Cancel order"
    And I enter "4826"
    Then the session ends with "cancelled."
    When the mobile money provider answers
    Then no payment prompt was sent to my phone
    When I check my balance
    Then the session ends with "Wallet: GHS 0.00"

  Scenario: A wrong PIN does not cancel my order
    Given I have ordered a "3kg steel" cylinder paid on delivery
    When I open my latest order
    And I choose "Cancel order"
    And I enter "9153"
    Then I see "Wrong PIN. Tries left: 2."
    And I see "Enter your PIN to cancel"
    When I open my latest order
    Then I see "Pay on delivery"

  Scenario: Once my order is dispatched I can no longer cancel it
    Given I have ordered a "3kg steel" cylinder paid on delivery
    When staff mark my last order as "dispatched"
    Then I receive an SMS containing "is on its way"
    When I open my latest order
    Then I see "Dispatched"
    And I do not see "Cancel order"
    And I see "0. Back"

  Scenario Outline: Each move staff make on my order reaches me by SMS
    Given I have ordered a "6kg steel" cylinder paid by "MTN MoMo"
    When staff mark my last order as "<first>"
    And staff mark my last order as "<second>"
    Then I receive an SMS containing "<first message>"
    And I receive an SMS containing "<second message>"
    When I open my latest order
    Then I see "<shown>"

    Examples:
      | first | second     | first message                   | second message  | shown      |
      | paid  | dispatched | payment of GHS 234.00 received  | is on its way   | Dispatched |
      | paid  | cancelled  | payment of GHS 234.00 received  | refunded        | Cancelled  |

  Scenario: Staff deliver my order
    Given I have ordered a "3kg steel" cylinder paid on delivery
    When staff mark my last order as "dispatched"
    And staff mark my last order as "delivered"
    Then I receive an SMS containing "was delivered. Thank you."
    When I open my latest order
    Then I see "Delivered"
    And I see "Paid GHS 142.00"
